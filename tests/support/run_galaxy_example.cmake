# The galaxy example with one backend on a 32 x 32 image, on each of POOLS (serial, threads: 2,
# processes: 2, mpi: mpiexec -n 2): every run must pass its own --check (every posterior mean
# within 3.5 sd of the truth), write its files and print the same likelihood calls and log Z as
# the first, digit for digit, once; the plot script must draw the first run's files.
# -DEXAMPLE=program -DWORKDIR=dir -DBACKEND=batch|sequential|smc -DPOOLS=serial,mpi
# [-DPYTHON=python3 -DSCRIPT=tools/plot_run.py] [-DMPIEXEC=mpiexec "-DPREFLAGS=flag;flag"]
include(${CMAKE_CURRENT_LIST_DIR}/run_program.cmake)

# Runs the example with the arguments given after out_var and returns in out_var the calls and
# log Z of its summary line; fails unless that line appears exactly once and names a pool
# matching pool_regex.
function(galaxy_run out_var pool_regex)
  parnest_run_checked(out ${ARGN})
  string(JOIN " " command ${ARGN})
  string(REGEX MATCHALL "galaxy: N=32 backend=${BACKEND} pool=[^\n]*" lines "${out}")
  list(LENGTH lines count)
  if(NOT count EQUAL 1)
    message(FATAL_ERROR "${command} printed ${count} summary lines, not one")
  endif()
  set(numbers "calls=([0-9]+) wall=[0-9.]+ s ms/call=[0-9.]+ log Z = ([-0-9.]+ \\+- [0-9.]+)$")
  if(NOT lines MATCHES "pool=(${pool_regex}) ${numbers}")
    message(FATAL_ERROR "${command}: a pool matching ${pool_regex} expected in: ${lines}")
  endif()
  set(${out_var} "calls=${CMAKE_MATCH_2} log Z = ${CMAKE_MATCH_3}" PARENT_SCOPE)
endfunction()

function(galaxy_require_same what result expected)
  if(NOT result STREQUAL expected)
    message(FATAL_ERROR "${what} gave ${result}, serially ${expected}")
  endif()
endfunction()

set(run ${EXAMPLE} ${BACKEND} --size 32 --check)
set(files galaxy_${BACKEND}.csv galaxy_${BACKEND}_equal_weights.csv galaxy_${BACKEND}_summary.json)
parnest_fresh_workdir()

string(REPLACE "," ";" pools "${POOLS}")
list(LENGTH pools count)
if(count EQUAL 0)
  message(FATAL_ERROR "no POOLS given: a comma-separated list of serial, threads, processes, mpi")
endif()
set(reference "")
foreach(pool ${pools})
  file(REMOVE_RECURSE ${WORKDIR}/out)
  if(pool STREQUAL "serial")
    galaxy_run(result "serial" ${run} --ncores 1)
  elseif(pool STREQUAL "threads")
    galaxy_run(result "threads\\([0-9]+\\)" ${run} --ncores 2)
  elseif(pool STREQUAL "processes")
    galaxy_run(result "processes\\(2\\)" ${run} --ncores 2 --processes)
  elseif(pool STREQUAL "mpi" AND MPIEXEC)
    galaxy_run(result "mpi\\(2 ranks\\)" ${MPIEXEC} -n 2 ${PREFLAGS} ${run})
  elseif(pool STREQUAL "mpi")
    continue()  # a build without MPI
  else()
    message(FATAL_ERROR "unknown pool ${pool}: serial, threads, processes or mpi")
  endif()
  parnest_require_outputs("the galaxy example on ${pool}" ${files})
  if(reference)
    galaxy_require_same("${pool}" "${result}" "${reference}")
    continue()
  endif()
  set(reference "${result}")
  if(PYTHON)
    parnest_run_checked(ignored ${PYTHON} ${SCRIPT} out/galaxy_${BACKEND} -o out/galaxy.png)
    file(SIZE ${WORKDIR}/out/galaxy.png size)
    if(size LESS_EQUAL 20000)
      message(FATAL_ERROR "out/galaxy.png has only ${size} bytes")
    endif()
  endif()
endforeach()
message("galaxy example, ${BACKEND}: ${reference} on each of ${POOLS}")
