// ReadOnlyStoreProvider: `dashboard` reads a state directory another process writes. RocksDB's
// read-only mode sees the state as of the open, so the directory is re-opened once the open
// handle is older than the refresh interval; requests in flight keep the old handle alive.

#include <chrono>
#include <mutex>

#include "rls_shadow/http_server.h"

namespace rls_shadow {

StoreProvider ReadOnlyStoreProvider(std::string dir, uint32_t refresh_seconds) {
  struct State {
    std::mutex mu;
    std::shared_ptr<const Store> store;
    std::chrono::steady_clock::time_point opened;
  };
  auto state = std::make_shared<State>();
  const auto refresh = std::chrono::seconds(refresh_seconds);
  return [state, dir = std::move(dir), refresh]() -> StoreSnapshot {
    std::lock_guard lock(state->mu);
    const auto now = std::chrono::steady_clock::now();
    if (!state->store || now - state->opened >= refresh) {
      std::unique_ptr<Store> store;
      if (Store::OpenReadOnly(dir, &store).ok()) {
        state->store = std::move(store);
        state->opened = now;
      }
    }
    if (!state->store) return {};
    return {state->store, state->store->SequenceNumber()};
  };
}

}  // namespace rls_shadow
