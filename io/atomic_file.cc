#include "io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace textaudit::io {
namespace {

// Special files (/dev/stdout, /dev/full, a FIFO) cannot be replaced by rename: write to them
// directly, still reporting every write error.
bool is_special_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

std::string errno_text(int err) { return err == 0 ? std::string("write failed") : std::strerror(err); }

}  // namespace

// A stream buffer over a file descriptor that remembers the first write error (errno), which
// std::ofstream does not expose: "No space left on device" must reach the user.
class AtomicFile::FdBuffer : public std::streambuf {
 public:
  explicit FdBuffer(int fd) : fd_(fd) { setp(buffer_, buffer_ + sizeof buffer_); }
  ~FdBuffer() override { close_fd(); }
  int error() const { return error_; }
  bool flush_all() { return drain() && error_ == 0; }
  int fd() const { return fd_; }
  int close_fd() {
    int rc = 0;
    if (fd_ >= 0) rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 protected:
  int_type overflow(int_type ch) override {
    if (!drain()) return traits_type::eof();
    if (!traits_type::eq_int_type(ch, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(ch);
      pbump(1);
    }
    return traits_type::not_eof(ch);
  }
  int sync() override { return drain() ? 0 : -1; }

 private:
  bool drain() {
    const char* p = pbase();
    while (p < pptr()) {
      const ssize_t n = ::write(fd_, p, static_cast<std::size_t>(pptr() - p));
      if (n < 0) {
        if (errno == EINTR) continue;
        if (error_ == 0) error_ = errno;
        setp(buffer_, buffer_ + sizeof buffer_);
        return false;
      }
      p += n;
    }
    setp(buffer_, buffer_ + sizeof buffer_);
    return error_ == 0;
  }
  int fd_;
  int error_ = 0;
  char buffer_[1 << 16];
};

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)), out_(nullptr) {
  int fd;
  if (is_special_file(path_)) {
    fd = ::open(path_.c_str(), O_WRONLY);
  } else {
    temp_path_ = path_ + ".tmp." + std::to_string(::getpid());
    fd = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  }
  if (fd < 0) {
    const int err = errno;
    throw std::runtime_error("cannot write " + path_ + ": " + errno_text(err));
  }
  buffer_ = std::make_unique<FdBuffer>(fd);
  out_.rdbuf(buffer_.get());
}

AtomicFile::~AtomicFile() {
  if (!committed_) {
    buffer_->close_fd();
    if (!temp_path_.empty()) std::remove(temp_path_.c_str());
  }
}

void AtomicFile::commit() {
  committed_ = true;
  bool ok = buffer_->flush_all() && !out_.bad();
  int err = buffer_->error();
  // fsync before rename so that a crash leaves either the old file or the whole new one.
  if (ok && !temp_path_.empty() && ::fsync(buffer_->fd()) != 0 && errno != EINVAL) {
    ok = false;
    err = errno;
  }
  if (buffer_->close_fd() != 0 && ok) {
    ok = false;
    err = errno;
  }
  if (!ok) {
    if (!temp_path_.empty()) std::remove(temp_path_.c_str());
    throw std::runtime_error("cannot write " + path_ + ": " + errno_text(err));
  }
  if (temp_path_.empty()) return;
  if (std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    const int err = errno;
    std::remove(temp_path_.c_str());
    throw std::runtime_error("cannot write " + path_ + ": " + errno_text(err));
  }
}

StagedOutputs::StagedOutputs(std::string dir) : dir_(std::move(dir)) {
  staging_ = (std::filesystem::path(dir_) / (".textaudit-staging." + std::to_string(::getpid()))).string();
  std::error_code ec;
  std::filesystem::remove_all(staging_, ec);
  if (!std::filesystem::create_directory(staging_, ec) || ec) {
    throw std::runtime_error("cannot write into " + dir_ + ": " + ec.message());
  }
}

StagedOutputs::~StagedOutputs() {
  std::error_code ec;
  std::filesystem::remove_all(staging_, ec);  // nothing left after commit(); everything otherwise
}

std::string StagedOutputs::path(const std::string& name) {
  names_.push_back(name);
  return (std::filesystem::path(staging_) / name).string();
}

void StagedOutputs::commit() {
  namespace fs = std::filesystem;
  for (const auto& name : names_) {
    const std::string from = (fs::path(staging_) / name).string(), to = (fs::path(dir_) / name).string();
    if (std::rename(from.c_str(), to.c_str()) != 0) {
      throw std::runtime_error("cannot write " + to + ": " + errno_text(errno));
    }
  }
}

void write_file_atomic(const std::string& path, std::string_view content) {
  AtomicFile file(path);
  file.stream().write(content.data(), static_cast<std::streamsize>(content.size()));
  file.commit();
}

void ensure_output_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) throw std::runtime_error("output path " + dir + " exists and is not a directory");
  } else if (!fs::create_directories(dir, ec) || ec) {
    throw std::runtime_error("cannot create output directory " + dir + ": " + ec.message());
  }
  if (::access(dir.c_str(), W_OK) != 0) {
    throw std::runtime_error("output directory " + dir + " is not writable: " + errno_text(errno));
  }
}

}  // namespace textaudit::io
