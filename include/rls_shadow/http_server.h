// HttpServer: the dashboard JSON API, the dashboard page and /metrics over HTTP/1.1 (keep-alive),
// on Boost.Beast. It only reads the state directory: every response is computed from the Store
// the StoreProvider hands out, and the readiness view is computed once per store generation.
// Embeddable: `serve` runs one next to its consumer, `dashboard` one over a read-only store.
//
// Thread-safety: Start and Stop from one controlling thread; the server runs on its own threads
// and calls the StoreProvider and the metrics hook from them, possibly concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "rls_shadow/report.h"
#include "rls_shadow/status.h"
#include "rls_shadow/store.h"

namespace rls_shadow {

// The [http] section of the configuration (config/rls-shadow.toml documents every key).
struct HttpConfig {
  std::string listen = "127.0.0.1:8080";  // host:port; port 0 picks a free one
  // Accepted bearer tokens. The environment variable named by token_env adds one more.
  std::vector<std::string> tokens;
  std::string token_env = "RLS_SHADOW_HTTP_TOKEN";
  // /api/*, /metrics and / need a token; /healthz and /readyz never do. Turning this off is
  // for a dashboard bound to loopback on a single-user machine only.
  bool require_token = true;
  bool metrics_require_token = true;  // false: Prometheus may scrape /metrics without a token
  size_t max_header_bytes = 8 * 1024;
  size_t max_body_bytes = 4 * 1024;
  uint32_t request_timeout_ms = 10'000;  // to read one whole request (also: idle keep-alive)
  size_t max_connections = 256;          // more are answered 503 and closed
  uint32_t threads = 2;
  // The readiness view is recomputed at most this often, and only when the store changed.
  uint32_t refresh_seconds = 5;
};

// A store and its generation: a number that changes whenever what the store holds may have
// changed (e.g. RocksDB's latest sequence number, or a reopen counter).
struct StoreSnapshot {
  std::shared_ptr<const Store> store;  // null: the store is not available (yet)
  uint64_t generation = 0;
};
using StoreProvider = std::function<StoreSnapshot()>;

// Appends Prometheus text-format lines (with their # HELP / # TYPE) to /metrics.
using MetricsHook = std::function<void(std::string*)>;

class HttpServer {
 public:
  // `rules` decide readiness as in the report. The server does not run until Start.
  HttpServer(HttpConfig config, ReadinessRules rules, StoreProvider provider);
  ~HttpServer();  // stops the server if it runs
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Adds lines to every /metrics response (e.g. consumer lag per partition). Call before Start.
  void AddMetrics(MetricsHook hook);

  // Binds and starts serving on config.threads threads. Fails with a one-line reason when the
  // address does not parse or cannot be bound, or when tokens are required and none is
  // configured.
  Status Start();
  // The bound port (useful with port 0); 0 before Start.
  uint16_t port() const;
  // Stops accepting, closes every connection and joins the threads. Idempotent.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A StoreProvider over a state directory written by another process: opens it read-only and
// re-opens it when it is older than `refresh_seconds`, so new data shows up. The generation is
// the store's latest sequence number.
StoreProvider ReadOnlyStoreProvider(std::string dir, uint32_t refresh_seconds);

}  // namespace rls_shadow
