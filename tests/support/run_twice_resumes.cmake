# Runs the resumable example twice in a clean directory: the second run resumes from the first
# one's final checkpoint and must print the same evidence.
include(${CMAKE_CURRENT_LIST_DIR}/run_program.cmake)
parnest_fresh_workdir()
foreach(attempt first second)
  parnest_run_checked(out ${EXAMPLE})
  string(REGEX MATCH "log Z = [^\n]*" ${attempt} "${out}")
endforeach()
if(NOT first OR NOT first STREQUAL second)
  message(FATAL_ERROR "the resumed run printed '${second}', the first '${first}'")
endif()
parnest_require_outputs("the example" shells.ckpt shells.txt shells.paramnames shells_dead-birth.txt shells_summary.json)
