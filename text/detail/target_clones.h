// text/detail/target_clones.h: TEXTAUDIT_TARGET_CLONES marks a hot function to be built twice,
// for AVX2 (haswell) and for any x86-64, the copy chosen at load time, so the default build runs
// everywhere and still uses AVX2 where there is one.
// ThreadSanitizer instruments the ifunc resolver that target_clones generates, which the dynamic
// loader runs before the TSan runtime is up: the program crashes at start. One build under TSan.
#pragma once

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TEXTAUDIT_UNDER_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__) || defined(TEXTAUDIT_UNDER_TSAN)
#define TEXTAUDIT_TARGET_CLONES
#else
#define TEXTAUDIT_TARGET_CLONES __attribute__((target_clones("arch=haswell", "default")))
#endif
