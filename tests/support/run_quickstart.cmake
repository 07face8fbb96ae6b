# Runs the quickstart example in a clean directory; checks what it prints and writes.
include(${CMAKE_CURRENT_LIST_DIR}/run_program.cmake)
parnest_fresh_workdir()
parnest_run_checked(out ${EXAMPLE})
if(NOT out MATCHES "log Z = (-[0-9]+\\.[0-9]+) \\+- ([0-9]+\\.[0-9]+) after ([0-9]+) likelihood calls")
  message(FATAL_ERROR "quickstart did not print the evidence line")
endif()
# The truth is log(2 pi 0.01 / 100) = -7.3725. Seed 42 lands 3.3 errors high (1 of seeds 1-100
# beyond 3 sigma, as README says); allow 4 here: the statistical tests check calibration over
# several seeds.
set(log_z ${CMAKE_MATCH_1})
set(err ${CMAKE_MATCH_2})
execute_process(COMMAND awk "BEGIN { d = ${log_z} + 7.3725; if (d < 0) d = -d; exit !(d < 4 * ${err} && ${err} > 0.01 && ${err} < 0.5) }"
  RESULT_VARIABLE within)
if(NOT within EQUAL 0)
  message(FATAL_ERROR "quickstart's log Z ${log_z} +- ${err} is not within 4 errors of -7.3725")
endif()
parnest_require_outputs("quickstart" gauss.csv gauss_equal_weights.csv gauss_summary.json)
