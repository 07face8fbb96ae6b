# PARNEST_MPIEXEC_PREFLAGS: what mpiexec needs to run parnest's tests and examples anywhere,
# including CI (root, 2 cores, up to 4 ranks). For OpenMPI: allow root, allow more ranks than
# cores, do not bind each rank to one core (oneTBB would then see one CPU), and yield the CPU
# while waiting for a message, since oversubscribed ranks that busy-poll starve each other.
# MPIEXEC_PREFLAGS set by the user (cache) are appended.
if(NOT DEFINED PARNEST_MPIEXEC_PREFLAGS)
  execute_process(COMMAND ${MPIEXEC_EXECUTABLE} --version OUTPUT_VARIABLE _parnest_mpiexec_version
    ERROR_QUIET)
  if(_parnest_mpiexec_version MATCHES "Open MPI|OpenRTE")
    set(PARNEST_MPIEXEC_PREFLAGS --allow-run-as-root --oversubscribe --bind-to none
        --mca mpi_yield_when_idle 1)
  else()
    set(PARNEST_MPIEXEC_PREFLAGS)
  endif()
  list(APPEND PARNEST_MPIEXEC_PREFLAGS ${MPIEXEC_PREFLAGS})
endif()
