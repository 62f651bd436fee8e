// Why: on this project's virtual machines a page fault costs several microseconds, and
// `analyze` on a 1M-line log faulted in ~38,000 fresh 4 KiB pages (7-10% of its time). With
// huge pages the same run takes ~1,000 faults. The kernel's usual THP mode is "madvise", so the
// allocator has to ask for them, which mimalloc does when its option says so. It reads its
// options from the environment as the process starts: enabled later (mi_option_enable in
// main), the option missed the memory mimalloc had mapped by then, and the run took ~9,400
// faults and ~4% longer.
#include "cli/memory_tuning.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string_view>

#if RLS_SHADOW_WITH_MIMALLOC
#include <mimalloc.h>
#endif

namespace rls_shadow {
namespace {

[[maybe_unused]] constexpr char kOption[] = "MIMALLOC_LARGE_OS_PAGES";
[[maybe_unused]] constexpr char kOptOut[] = "RLS_SHADOW_NO_HUGE_PAGES";

}  // namespace

void TuneMemory(char** argv) {
#if RLS_SHADOW_WITH_MIMALLOC
  // Set: the user's choice, or this process is the re-executed one.
  if (std::getenv(kOption) != nullptr) return;
  if (const char* off = std::getenv(kOptOut); off != nullptr && std::string_view(off) == "1") {
    return;
  }
  // Under valgrind, /proc/self/exe is valgrind's launcher and a re-executed image would run
  // untraced: stay as we are (valgrind preloads its vgpreload_*.so into the client).
  if (const char* preload = std::getenv("LD_PRELOAD");
      preload != nullptr && std::strstr(preload, "vgpreload") != nullptr) {
    return;
  }
  if (setenv(kOption, "1", 1) != 0) return;
  execv("/proc/self/exe", argv);
  // Still here: exec failed (no /proc). Run as we are, with the environment as it was.
  unsetenv(kOption);
#else
  (void)argv;  // a sanitizer build: its allocator is the sanitizer's
#endif
}

std::string AllocatorDescription() {
#if RLS_SHADOW_WITH_MIMALLOC
  // Through the C library's interface, not mi_calloc: whether the dynamic linker bound it to
  // mimalloc.
  void* probe = std::calloc(1, 64);
  const bool bound = mi_is_in_heap_region(probe);
  std::free(probe);
  if (bound) {
    const int v = mi_version();
    return fmt::format("mimalloc {}.{}.{}{}", v / 100, v / 10 % 10, v % 10,
                       mi_option_is_enabled(mi_option_large_os_pages) ? ", huge pages" : "");
  }
  return "not mimalloc: malloc is bound to another allocator (LD_PRELOAD?)";
#else
  return "the C library's malloc";
#endif
}

}  // namespace rls_shadow
