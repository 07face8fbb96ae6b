#pragma once
// PARNEST_INLINE marks the definitions libparnest compiles once (the files in parnest/impl/).
// In a normal build it is empty and src/*.cpp compile them; in header-only mode
// (PARNEST_HEADER_ONLY defined, target parnest::header_only) each public header includes its
// definitions, and PARNEST_INLINE makes them inline so that several translation units may.

#ifdef PARNEST_HEADER_ONLY
#define PARNEST_INLINE inline
#else
#define PARNEST_INLINE
#endif
