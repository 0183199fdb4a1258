// io/atomic_file.h: output files that appear whole or not at all (temp file + fsync + rename).
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace textaudit::io {

// Write to stream(), then commit(). Destroying an uncommitted AtomicFile removes the temp file,
// so a failure never leaves a partial output behind. commit() throws std::runtime_error when the
// data cannot be written (e.g. disk full) — naming the path — and leaves no file.
class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  std::ostream& stream() { return out_; }
  void commit();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::string temp_path_;
  class FdBuffer;
  std::unique_ptr<FdBuffer> buffer_;
  std::ostream out_;
  bool committed_ = false;
};

// The output files of one run, appearing together or not at all: path(name) gives where to write
// `name` (a staging directory inside `dir`), commit() moves every file into `dir`. Destroying an
// uncommitted StagedOutputs removes the staging directory, so a run that fails part way through
// its outputs (disk full, an error) leaves none of its new files. `dir` must exist.
class StagedOutputs {
 public:
  explicit StagedOutputs(std::string dir);  // throws std::runtime_error naming dir
  ~StagedOutputs();
  StagedOutputs(const StagedOutputs&) = delete;
  StagedOutputs& operator=(const StagedOutputs&) = delete;

  std::string path(const std::string& name);
  // Renames the files into dir; throws std::runtime_error naming the file that could not be moved.
  void commit();

 private:
  std::string dir_, staging_;
  std::vector<std::string> names_;
};

// Writes `content` to `path` atomically.
void write_file_atomic(const std::string& path, std::string_view content);

// Creates the directory (and parents) if missing; throws std::runtime_error naming it if it cannot
// be created or is not writable.
void ensure_output_dir(const std::string& dir);

}  // namespace textaudit::io
