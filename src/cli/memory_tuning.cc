// Why: on this project's virtual machines a page fault costs several microseconds, and
// `analyze` on a 1M-line log faulted in ~38,000 fresh 4 KiB pages (7-10% of its time). With
// huge pages the same run takes ~1,500 faults. The kernel's usual THP mode is "madvise", so
// malloc has to ask for them, which glibc does only when its tunable says so.
#include "cli/memory_tuning.h"

#include <malloc.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace rls_shadow {
namespace {

constexpr char kTunable[] = "glibc.malloc.hugetlb=1";
// The opt-out, which the re-executed process also carries, so it never re-executes again.
constexpr char kOptOut[] = "RLS_SHADOW_NO_HUGE_PAGES";

}  // namespace

void TuneMemory(char** argv) {
  // glibc serves allocations from 128 KiB up with mmap and unmaps them on free, so a large
  // buffer freed and allocated again (a parse tree's document, a commit's write batch) is
  // faulted in afresh each time. Keep such memory in the heap, and do not trim the heap's top.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);

  // Under valgrind, /proc/self/exe is valgrind's launcher and a re-executed image would run
  // untraced: stay as we are (valgrind preloads its vgpreload_*.so into the client).
  if (const char* preload = std::getenv("LD_PRELOAD");
      preload != nullptr && std::strstr(preload, "vgpreload") != nullptr) {
    return;
  }
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  const std::string current = tunables != nullptr ? tunables : "";
  if (current.find("glibc.malloc.hugetlb") != std::string::npos) return;
  if (const char* off = std::getenv(kOptOut); off != nullptr && std::string(off) == "1") {
    return;
  }
  const std::string wanted = current.empty() ? kTunable : current + ":" + kTunable;
  if (setenv("GLIBC_TUNABLES", wanted.c_str(), 1) != 0) return;
  // Once even if glibc ignored the tunable (a secure-mode process, say) and the variable came
  // back unchanged.
  if (setenv(kOptOut, "1", 1) != 0) return;
  execv("/proc/self/exe", argv);
  // Still here: exec failed (no /proc). Run as we are, with the environment as it was.
  if (tunables != nullptr) {
    setenv("GLIBC_TUNABLES", tunables, 1);
  } else {
    unsetenv("GLIBC_TUNABLES");
  }
  unsetenv(kOptOut);
}

}  // namespace rls_shadow
