# tests/mpi/late_rank.cpp under mpiexec -n 2, the second rank 2 s late: rank 0 must report its
# wait in MPI_Init_thread, and both ranks must then print the same evidence.
# -DPROGRAM=program -DMPIEXEC=mpiexec "-DPREFLAGS=flag;flag"
execute_process(COMMAND ${MPIEXEC} -n 2 ${PREFLAGS} ${PROGRAM} 2
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc TIMEOUT 100)
message("${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "mpiexec -n 2 ${PROGRAM} exited with ${rc}")
endif()
if(NOT err MATCHES "rank 0 of 2 has waited [0-9]+ s in MPI_Init_thread for the other ranks: every rank")
  message(FATAL_ERROR "rank 0 did not report its wait in MPI_Init_thread")
endif()
if(NOT out MATCHES "rank 0: log Z = ([-0-9.e+]+)")
  message(FATAL_ERROR "rank 0 printed no evidence")
endif()
set(evidence "${CMAKE_MATCH_1}")
if(NOT out MATCHES "rank 1: log Z = ${evidence}\n")
  message(FATAL_ERROR "rank 1 did not print rank 0's evidence ${evidence}")
endif()
