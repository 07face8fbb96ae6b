# Warnings are on for parnest's own targets; dependencies come in as SYSTEM (imported) targets.
function(parnest_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  if(PARNEST_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
    # GCC 12 reports a false -Wrestrict inside libstdc++ for `"literal" + std::string` at -O2
    # (GCC bug 105329), a false -Wmaybe-uninitialized for a std::optional that holds a class
    # with vectors (GCC bug 80635; tests/unit/test_batch.cpp's ShellBound): keep them
    # visible, but not fatal.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
      target_compile_options(${target} PRIVATE -Wno-error=restrict -Wno-error=maybe-uninitialized)
    endif()
  endif()
endfunction()
