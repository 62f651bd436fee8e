// A minimal HTTP/1.1 client over a real TCP socket (POSIX), for the server tests: it writes the
// bytes it is given, so tests can send what no well-behaved client would (oversized headers,
// a request trickled byte by byte) and see exactly what the server does.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace rls_shadow::testing {

struct HttpReply {
  int status = 0;  // 0: no response (connection closed or timed out first)
  std::string headers;
  std::string body;
};

class Connection {
 public:
  explicit Connection(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~Connection() { ::close(fd_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool connected() const { return connected_; }
  bool Send(const std::string& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }

  // Reads one response (headers, then Content-Length bytes of body), waiting at most `timeout`.
  HttpReply Receive(std::chrono::milliseconds timeout = std::chrono::milliseconds(10000)) {
    HttpReply r;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    size_t header_end = std::string::npos;
    while (true) {
      header_end = buffer_.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        const size_t length = ContentLength(buffer_.substr(0, header_end));
        if (buffer_.size() >= header_end + 4 + length) {
          r.headers = buffer_.substr(0, header_end);
          r.body = buffer_.substr(header_end + 4, length);
          buffer_.erase(0, header_end + 4 + length);
          r.status = std::stoi(r.headers.substr(9, 3));
          return r;
        }
      }
      if (!Fill(deadline)) return r;
    }
  }

  // True when the server closes the connection before `timeout` (reads and drops any bytes).
  bool ClosedWithin(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (Fill(deadline)) {
    }
    return closed_;
  }

 private:
  static size_t ContentLength(const std::string& headers) {
    std::string lower;
    for (char c : headers) lower.push_back(static_cast<char>(std::tolower(c)));
    const size_t at = lower.find("content-length:");
    if (at == std::string::npos) return 0;
    return std::stoul(headers.substr(at + 15));
  }

  bool Fill(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buf[65536];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      closed_ = true;
      return false;
    }
    buffer_.append(buf, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  bool closed_ = false;
  std::string buffer_;
};

inline std::string Get(const std::string& target, const std::string& token = "",
                       const std::string& extra = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n" +
         (token.empty() ? "" : "Authorization: Bearer " + token + "\r\n") + extra + "\r\n";
}

}  // namespace rls_shadow::testing
