# The cluster example, unchanged, run alone and under mpiexec with 4 ranks: every rank must print
# the evidence of the run alone, digit for digit, and the output files must be written.
# -DEXAMPLE=program -DMPIEXEC=mpiexec "-DPREFLAGS=flag;flag" -DWORKDIR=dir
include(${CMAKE_CURRENT_LIST_DIR}/run_program.cmake)

parnest_fresh_workdir()
parnest_run_checked(alone ${EXAMPLE})
if(NOT alone MATCHES "rank 0 of 1: log Z = ([-0-9.]+ \\+- [0-9.]+)")
  message(FATAL_ERROR "the example run alone printed no evidence")
endif()
set(evidence "${CMAKE_MATCH_1}")

parnest_fresh_workdir()
parnest_run_checked(ranks ${MPIEXEC} -n 4 ${PREFLAGS} ${EXAMPLE})
foreach(rank 0 1 2 3)
  if(NOT ranks MATCHES "rank ${rank} of 4: log Z = ([-0-9.]+ \\+- [0-9.]+) \\(mpi\\(4 ranks\\)\\)")
    message(FATAL_ERROR "rank ${rank} printed no result from the MPI pool")
  endif()
  if(NOT CMAKE_MATCH_1 STREQUAL evidence)
    message(FATAL_ERROR "rank ${rank} printed log Z = ${CMAKE_MATCH_1}, alone it was ${evidence}")
  endif()
endforeach()
string(REGEX MATCHALL "amplitude =" summaries "${ranks}")
list(LENGTH summaries count)
if(NOT count EQUAL 1)
  message(FATAL_ERROR "the summary was printed ${count} times, not once (by rank 0)")
endif()
parnest_require_outputs("the cluster example" cluster.csv cluster_equal_weights.csv cluster_summary.json)
