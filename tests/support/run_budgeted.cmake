# Runs the budgeted example as a job that is resubmitted: a first run with a budget of
# 20,000 calls stops with exit code 4 and the budget warning in the program's own log, a second
# one without a budget goes on from the checkpoint, and its evidence equals that of a run that
# never stopped (in a fresh directory).
include(${CMAKE_CURRENT_LIST_DIR}/run_program.cmake)
parnest_fresh_workdir()
execute_process(COMMAND ${EXAMPLE} 20000 WORKING_DIRECTORY ${WORKDIR}
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
message("${out}${err}")
if(NOT rc EQUAL 4 OR NOT out MATCHES "\\[warn\\] stopped at max_calls = 20000 after ")
  message(FATAL_ERROR "the budgeted run exited with ${rc} without its budget warning")
endif()
parnest_run_checked(out ${EXAMPLE} 0)
string(REGEX MATCH "log Z = [^\n]*" resumed "${out}")
parnest_fresh_workdir()
parnest_run_checked(out ${EXAMPLE} 0)
string(REGEX MATCH "log Z = [^\n]*" whole "${out}")
if(NOT whole OR NOT whole STREQUAL resumed)
  message(FATAL_ERROR "the resumed run printed '${resumed}', one never stopped '${whole}'")
endif()
