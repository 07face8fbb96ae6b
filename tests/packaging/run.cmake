# Builds and runs the consumer project against parnest, either installed (find_package) or as
# a subdirectory, linking libparnest or (HEADER_ONLY) in header-only mode. Fails on any error,
# with the tool's output. The installed tree comes from the suite's own build (PARNEST_BUILD),
# so only the subdirectory modes compile parnest again, which is what they test.
file(REMOVE_RECURSE ${WORKDIR})
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

# No optimisation (an empty build type): what these tests check is the packaging, and -O0
# compiles parnest's algorithms three times faster than Release.
set(consumer_args -S ${PARNEST_SOURCE}/tests/packaging/consumer -B ${WORKDIR}/build
    -DCMAKE_BUILD_TYPE= -DCONSUMER_MODE=${MODE})
if(HEADER_ONLY)
  list(APPEND consumer_args -DCONSUMER_HEADER_ONLY=ON)
endif()
if(MODE STREQUAL "without_mpi")
  list(APPEND consumer_args -DPARNEST_SOURCE=${PARNEST_SOURCE} -DCONSUMER_MODE=add_subdirectory
       -DPARNEST_WITH_MPI=OFF)
elseif(MODE STREQUAL "find_package")
  run(${CMAKE_COMMAND} --install ${PARNEST_BUILD} --prefix ${WORKDIR}/prefix)
  list(APPEND consumer_args -DCMAKE_PREFIX_PATH=${WORKDIR}/prefix)
else()
  list(APPEND consumer_args -DPARNEST_SOURCE=${PARNEST_SOURCE})
endif()
run(${CMAKE_COMMAND} ${consumer_args})
run(${CMAKE_COMMAND} --build ${WORKDIR}/build --parallel 2)
run(${WORKDIR}/build/consumer)
message("${last_output}")
if(NOT last_output MATCHES "consumer: log Z = ")
  message(FATAL_ERROR "the consumer did not print its result")
endif()

# Without MPI, a launch with several ranks must fail on every rank, saying how to rebuild, and
# never run several independent copies of the sampling that write the same files.
if(MODE STREQUAL "without_mpi")
  execute_process(COMMAND ${MPIEXEC} -n 2 ${PREFLAGS} ${WORKDIR}/build/consumer
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message("${out}${err}")
  if(rc EQUAL 0 OR out MATCHES "consumer: log Z")
    message(FATAL_ERROR "a build without MPI ran under mpiexec -n 2")
  endif()
  foreach(rank 0 1)
    if(NOT "${out}${err}" MATCHES "rank ${rank} of 2 started by OpenMPI, but this parnest was built without MPI: install libopenmpi-dev")
      message(FATAL_ERROR "rank ${rank} did not say that parnest was built without MPI")
    endif()
  endforeach()
endif()
