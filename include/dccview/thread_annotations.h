// Clang's thread-safety annotations (-Wthread-safety), as dccview's locks and the state they guard
// carry them. Under other compilers they expand to nothing. `./dev test` checks every dccview
// source with clang's analysis (tests/clang_checks.py). Thread-safe: macros only.
#pragma once

#if defined(__clang__)
#define DCCVIEW_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define DCCVIEW_THREAD_ANNOTATION(x)
#endif

// A type that is a lock ("mutex"), and a guard type that holds one for its scope.
#define DCCVIEW_CAPABILITY(name) DCCVIEW_THREAD_ANNOTATION(capability(name))
#define DCCVIEW_SCOPED_CAPABILITY DCCVIEW_THREAD_ANNOTATION(scoped_lockable)
// Data that may be touched only while the lock is held.
#define DCCVIEW_GUARDED_BY(lock) DCCVIEW_THREAD_ANNOTATION(guarded_by(lock))
#define DCCVIEW_PT_GUARDED_BY(lock) DCCVIEW_THREAD_ANNOTATION(pt_guarded_by(lock))
// Functions: what they need held, take and release.
#define DCCVIEW_REQUIRES(...) DCCVIEW_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define DCCVIEW_ACQUIRE(...) DCCVIEW_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define DCCVIEW_ACQUIRE_SHARED(...) \
  DCCVIEW_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define DCCVIEW_RELEASE(...) DCCVIEW_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define DCCVIEW_RELEASE_SHARED(...) \
  DCCVIEW_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
#define DCCVIEW_RELEASE_GENERIC(...) \
  DCCVIEW_THREAD_ANNOTATION(release_generic_capability(__VA_ARGS__))
#define DCCVIEW_TRY_ACQUIRE(...) DCCVIEW_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define DCCVIEW_TRY_ACQUIRE_SHARED(...) \
  DCCVIEW_THREAD_ANNOTATION(try_acquire_shared_capability(__VA_ARGS__))
#define DCCVIEW_EXCLUDES(...) DCCVIEW_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
// A function the analysis cannot follow (say why where it is used).
#define DCCVIEW_NO_THREAD_SAFETY_ANALYSIS DCCVIEW_THREAD_ANNOTATION(no_thread_safety_analysis)
