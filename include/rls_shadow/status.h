// Status: the outcome of an operation that can fail. Errors are values, not exceptions thrown
// across module borders (as in LevelDB). A Status is cheap to copy when ok().
#pragma once

#include <string>
#include <utility>

namespace rls_shadow {

class Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Error(std::string message) { return Status(std::move(message)); }

  bool ok() const { return !failed_; }
  // The one-line, human-readable reason; empty when ok().
  const std::string& message() const { return message_; }

 private:
  explicit Status(std::string message) : failed_(true), message_(std::move(message)) {}
  bool failed_ = false;
  std::string message_;
};

}  // namespace rls_shadow
