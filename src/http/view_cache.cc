#include "http/view_cache.h"

#include <chrono>

namespace rls_shadow::http {
namespace {

constexpr size_t kWindowViews = 4;

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

ViewCache::ViewCache(ReadinessRules rules, StoreProvider provider, uint32_t refresh_seconds)
    : rules_(std::move(rules)),
      provider_(std::move(provider)),
      refresh_(std::chrono::seconds(refresh_seconds)) {}

Status ViewCache::Build(const StoreSnapshot& snap, int64_t since_us, int64_t until_us,
                        std::shared_ptr<const ApiView>* out) const {
  ReadinessRules rules = rules_;
  rules.max_denial_rows = 0;  // the API pages through all of them
  Report report;
  if (Status s = BuildReport(*snap.store, rules, since_us, until_us, &report); !s.ok()) return s;
  *out = BuildApiView(std::move(report), snap.generation);
  return Status::Ok();
}

std::shared_ptr<const ApiView> ViewCache::Current(Status* error) {
  {
    std::lock_guard lock(mu_);
    if (view_ && Clock::now() < next_check_) return view_;
  }
  std::unique_lock build(build_mu_, std::try_to_lock);
  if (!build.owns_lock()) {
    {
      std::lock_guard lock(mu_);
      if (view_) return view_;  // someone is rebuilding: serve the previous view
    }
    build.lock();  // the first view: wait for it
  }
  {
    std::lock_guard lock(mu_);
    if (view_ && Clock::now() < next_check_) return view_;
  }
  StoreSnapshot snap = provider_();
  std::shared_ptr<const ApiView> built;
  Status s = snap.store ? Status::Ok() : Status::Error("the state directory is not available");
  const bool unchanged = s.ok() && view_ && view_->generation == snap.generation;
  if (s.ok() && !unchanged) {
    const int64_t until = LatestDataEndUs(*snap.store, NowUs());
    s = Build(snap, until - rules_.window_seconds * 1'000'000, until, &built);
  }
  std::lock_guard lock(mu_);
  if (built) {
    view_ = std::move(built);
    snapshot_ = std::move(snap);
  }
  if (!s.ok() && !view_) {
    *error = s;
    return nullptr;
  }
  next_check_ = Clock::now() + refresh_;
  return view_;
}

std::shared_ptr<const ApiView> ViewCache::Window(int64_t since_us, int64_t until_us,
                                                 Status* error) {
  if (!Current(error)) return nullptr;
  StoreSnapshot snap;
  {
    std::lock_guard lock(mu_);
    snap = snapshot_;
    const auto key = std::make_tuple(snap.generation, since_us, until_us);
    for (auto it = windows_.begin(); it != windows_.end(); ++it) {
      if (it->first == key) {
        windows_.splice(windows_.begin(), windows_, it);
        return windows_.front().second;
      }
    }
  }
  std::shared_ptr<const ApiView> built;
  if (Status s = Build(snap, since_us, until_us, &built); !s.ok()) {
    *error = s;
    return nullptr;
  }
  std::lock_guard lock(mu_);
  windows_.emplace_front(std::make_tuple(snap.generation, since_us, until_us), built);
  if (windows_.size() > kWindowViews) windows_.pop_back();
  return built;
}

}  // namespace rls_shadow::http
