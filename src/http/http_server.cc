// HttpServer on Boost.Beast: an acceptor and one Session per connection, each on its own strand,
// run by config.threads threads. Limits are enforced here, before a request reaches the router:
// header and body size (the parser's limits: 431 and 413, then close), the time to read one
// request (a deadline on the stream: slow or idle clients are cut off), and the number of open
// connections (503, then close). Requests are logged at debug level only, by route template:
// tenant values (query strings) never reach the log.

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

#include "http/api_router.h"
#include "http/request_metrics.h"
#include "http/view_cache.h"
#include "rls_shadow/http_server.h"

namespace rls_shadow {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct Shared {
  HttpConfig config;
  std::unique_ptr<http::RequestMetrics> metrics = std::make_unique<http::RequestMetrics>();
  std::unique_ptr<http::ViewCache> views;
  std::unique_ptr<http::ApiRouter> router;
  std::atomic<size_t> connections{0};
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Shared* shared, bool over_limit)
      : stream_(std::move(socket)), shared_(shared), over_limit_(over_limit) {}
  ~Session() {
    if (!over_limit_) shared_->connections.fetch_sub(1);
  }

  void Run() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if (self->over_limit_) {
        self->Reply(http::ErrorResponse(503, "too many connections"), 11, true);
      } else {
        self->Read();
      }
    });
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(shared_->config.max_header_bytes));
    parser_->body_limit(shared_->config.max_body_bytes);
    stream_.expires_after(std::chrono::milliseconds(shared_->config.request_timeout_ms));
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, size_t) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted) {
      return Close();
    }
    if (ec == bhttp::error::header_limit) {
      return Reply(http::ErrorResponse(431, "request header fields too large"), 11, true);
    }
    if (ec == bhttp::error::body_limit) {
      return Reply(http::ErrorResponse(413, "request body too large"), 11, true);
    }
    if (ec) {
      if (parser_->got_some()) return Reply(http::ErrorResponse(400, "malformed request"), 11, true);
      return Close();
    }
    const auto start = std::chrono::steady_clock::now();
    const auto& req = parser_->get();
    const auto sv = [](auto s) { return std::string_view(s.data(), s.size()); };
    http::Response r = shared_->router->Handle(
        {sv(req.method_string()), sv(req.target()), sv(req[bhttp::field::authorization])});
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    shared_->metrics->Record(r.route, r.status, seconds);
    SPDLOG_DEBUG("http {} {} -> {} in {:.3f} ms", sv(req.method_string()),
                 http::RouteName(r.route), r.status, seconds * 1e3);
    Reply(std::move(r), req.version(), !req.keep_alive());
  }

  void Reply(http::Response r, unsigned version, bool close) {
    res_ = {};
    res_.version(version);
    res_.result(r.status);
    res_.set(bhttp::field::server, "rls-shadow");
    res_.set(bhttp::field::content_type, r.content_type);
    res_.set(bhttp::field::cache_control, "no-store");
    res_.set("X-Content-Type-Options", "nosniff");
    if (r.route == http::Route::kPage) {
      res_.set("Content-Security-Policy",
               "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
               "connect-src 'self'; img-src 'self'; frame-ancestors 'none'");
      res_.set("Referrer-Policy", "no-referrer");
    }
    if (r.challenge) res_.set(bhttp::field::www_authenticate, "Bearer realm=\"rls-shadow\"");
    if (r.status == 405) res_.set(bhttp::field::allow, "GET");
    res_.body() = std::move(r.body);
    res_.keep_alive(!close);
    res_.prepare_payload();
    stream_.expires_after(std::chrono::milliseconds(shared_->config.request_timeout_ms));
    bhttp::async_write(stream_, res_,
                       beast::bind_front_handler(&Session::OnWrite, shared_from_this(), close));
  }

  void OnWrite(bool close, beast::error_code ec, size_t) {
    if (ec) return Close();
    if (close) return Close();
    Read();
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> res_;
  Shared* shared_;
  bool over_limit_;
};

bool ParseListen(const std::string& listen, std::string* host, uint16_t* port) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon + 1 == listen.size()) return false;
  *host = listen.substr(0, colon);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  unsigned long p = 0;
  for (char c : listen.substr(colon + 1)) {
    if (c < '0' || c > '9') return false;
    p = p * 10 + static_cast<unsigned long>(c - '0');
    if (p > 65535) return false;
  }
  *port = static_cast<uint16_t>(p);
  return !host->empty();
}

}  // namespace

struct HttpServer::Impl {
  Shared shared;
  ReadinessRules rules;
  StoreProvider provider;
  std::vector<MetricsHook> hooks;
  std::unique_ptr<net::io_context> ioc;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
  uint16_t port = 0;

  void Accept() {
    acceptor->async_accept(net::make_strand(*ioc), [this](beast::error_code ec,
                                                          tcp::socket socket) {
      if (ec) {
        if (ec == net::error::operation_aborted) return;
      } else {
        const bool over = shared.connections.fetch_add(1) >= shared.config.max_connections;
        if (over) shared.connections.fetch_sub(1);
        std::make_shared<Session>(std::move(socket), &shared, over)->Run();
      }
      Accept();
    });
  }
};

HttpServer::HttpServer(HttpConfig config, ReadinessRules rules, StoreProvider provider)
    : impl_(std::make_unique<Impl>()) {
  impl_->shared.config = std::move(config);
  impl_->rules = std::move(rules);
  impl_->provider = std::move(provider);
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::AddMetrics(MetricsHook hook) { impl_->hooks.push_back(std::move(hook)); }

Status HttpServer::Start() {
  Impl& m = *impl_;
  const HttpConfig& cfg = m.shared.config;
  std::vector<std::string> tokens;
  for (const auto& t : cfg.tokens) {
    if (!t.empty()) tokens.push_back(t);
  }
  if (!cfg.token_env.empty()) {
    if (const char* env = std::getenv(cfg.token_env.c_str()); env != nullptr && *env != '\0') {
      tokens.emplace_back(env);
    }
  }
  if (cfg.require_token && tokens.empty()) {
    return Status::Error("http: a bearer token is required but none is configured (set " +
                         (cfg.token_env.empty() ? std::string("http.tokens") : cfg.token_env) +
                         " or http.tokens, or http.require_token = false)");
  }
  std::string host;
  uint16_t port = 0;
  if (!ParseListen(cfg.listen, &host, &port)) {
    return Status::Error("http.listen: expected host:port, got '" + cfg.listen + "'");
  }
  beast::error_code ec;
  const auto address = net::ip::make_address(host, ec);
  if (ec) return Status::Error("http.listen: '" + host + "' is not an IP address");

  m.shared.views = std::make_unique<http::ViewCache>(m.rules, m.provider, cfg.refresh_seconds);
  m.shared.router = std::make_unique<http::ApiRouter>(cfg, std::move(tokens), m.shared.views.get(),
                                                      m.shared.metrics.get(), m.hooks);
  m.ioc = std::make_unique<net::io_context>(static_cast<int>(std::max(1u, cfg.threads)));
  m.acceptor = std::make_unique<tcp::acceptor>(*m.ioc);
  const tcp::endpoint endpoint(address, port);
  m.acceptor->open(endpoint.protocol(), ec);
  if (!ec) m.acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) m.acceptor->bind(endpoint, ec);
  if (!ec) m.acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    m.acceptor.reset();
    m.ioc.reset();
    return Status::Error("http: cannot listen on " + cfg.listen + ": " + ec.message());
  }
  m.port = m.acceptor->local_endpoint().port();
  m.Accept();
  for (uint32_t i = 0; i < std::max(1u, cfg.threads); ++i) {
    m.threads.emplace_back([&m] { m.ioc->run(); });
  }
  return Status::Ok();
}

uint16_t HttpServer::port() const { return impl_->port; }

void HttpServer::Stop() {
  Impl& m = *impl_;
  if (!m.ioc) return;
  net::post(*m.ioc, [&m] {
    beast::error_code ignored;
    m.acceptor->close(ignored);
  });
  m.ioc->stop();
  for (auto& t : m.threads) t.join();
  m.threads.clear();
  m.acceptor.reset();
  m.ioc.reset();  // destroys the sessions still queued in it
  m.port = 0;
}

}  // namespace rls_shadow
