// Memory tuning of the rls-shadow process, applied first thing in main().
#pragma once

#include <string>

namespace rls_shadow {

// The binary allocates with mimalloc, linked in place of the C library's malloc (except in
// sanitizer builds, whose allocator is the sanitizer's). This has it back its memory with
// transparent huge pages, for a process that touches ~80 MB of fresh memory (analyze's
// aggregates, the caches, a commit's write batch). mimalloc reads that option only as the
// process starts, so when MIMALLOC_LARGE_OS_PAGES is not set this re-executes the binary with
// it set to 1 (same pid, same arguments; returns only if that fails, which changes nothing but
// speed). RLS_SHADOW_NO_HUGE_PAGES=1 turns the re-execution off; under valgrind it does not
// happen. Together ~5% faster than glibc's malloc with huge pages (bench/HISTORY.md).
void TuneMemory(char** argv);

// The allocator the process uses, for --version: "mimalloc 2.0.9, huge pages", "the C library's
// malloc" (a sanitizer build), or a line saying malloc is bound to another one than mimalloc.
std::string AllocatorDescription();

}  // namespace rls_shadow
