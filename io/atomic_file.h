// io/atomic_file.h: output files that appear whole or not at all (temp file + fsync + rename).
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <string_view>

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

// Writes `content` to `path` atomically.
void write_file_atomic(const std::string& path, std::string_view content);

// Creates the directory (and parents) if missing; throws std::runtime_error naming it if it cannot
// be created or is not writable.
void ensure_output_dir(const std::string& dir);

}  // namespace textaudit::io
