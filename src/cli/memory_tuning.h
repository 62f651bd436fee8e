// Memory tuning of the rls-shadow process, applied first thing in main().
#pragma once

namespace rls_shadow {

// Makes glibc's malloc back the heap with transparent huge pages and keep freed memory, for a
// process that touches hundreds of MB of fresh memory (analyze's aggregates, a commit's write
// batch). The tunable that asks malloc for huge pages (glibc.malloc.hugetlb, glibc >= 2.35) is
// read only when a process starts, so when it is not set this re-executes the binary with it
// added to GLIBC_TUNABLES (same pid, same arguments; returns only if that fails, which changes
// nothing but speed). RLS_SHADOW_NO_HUGE_PAGES=1 turns the re-execution off; under valgrind it
// does not happen.
void TuneMemory(char** argv);

}  // namespace rls_shadow
