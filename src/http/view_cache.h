// ViewCache: the ApiView of the current store generation, rebuilt only when the generation
// changed and at most every refresh interval. While a new view is being built, other requests
// are served the previous one (stale-while-revalidate), so a rebuild over a large store never
// stalls the API; only the very first request waits.
//
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <tuple>

#include "http/api_view.h"
#include "rls_shadow/http_server.h"
#include "rls_shadow/report.h"

namespace rls_shadow::http {

class ViewCache {
 public:
  ViewCache(ReadinessRules rules, StoreProvider provider, uint32_t refresh_seconds);

  // The view of the readiness window (the configured length, ending at the latest data). Null
  // with *error set when the store cannot be read and no earlier view exists.
  std::shared_ptr<const ApiView> Current(Status* error);
  // A view of [since_us, until_us) over the same store as Current (a few are kept).
  std::shared_ptr<const ApiView> Window(int64_t since_us, int64_t until_us, Status* error);

 private:
  using Clock = std::chrono::steady_clock;
  Status Build(const StoreSnapshot& snap, int64_t since_us, int64_t until_us,
               std::shared_ptr<const ApiView>* out) const;

  const ReadinessRules rules_;
  const StoreProvider provider_;
  const Clock::duration refresh_;

  std::mutex build_mu_;  // one builder of the current view at a time
  std::mutex mu_;        // guards the members below
  std::shared_ptr<const ApiView> view_;
  StoreSnapshot snapshot_;  // the store view_ was built from
  Clock::time_point next_check_;
  // (generation, since, until) -> view, most recent first.
  std::list<std::pair<std::tuple<uint64_t, int64_t, int64_t>, std::shared_ptr<const ApiView>>>
      windows_;
};

}  // namespace rls_shadow::http
