# Helpers for the test scripts that run a program and check what it prints and writes.

# Empties ${WORKDIR}, the directory the program runs in.
function(parnest_fresh_workdir)
  file(REMOVE_RECURSE ${WORKDIR})
  file(MAKE_DIRECTORY ${WORKDIR})
endfunction()

# Runs the command given after out_var in ${WORKDIR}, shows its output, fails the test if it
# exits with a non-zero code, and returns its standard output in out_var.
function(parnest_run_checked out_var)
  execute_process(COMMAND ${ARGN} WORKING_DIRECTORY ${WORKDIR}
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  message("${out}${err}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${ARGN} exited with ${rc}")
  endif()
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()

# Fails the test unless every file named after the first argument exists in ${WORKDIR}/out.
function(parnest_require_outputs who)
  foreach(f ${ARGN})
    if(NOT EXISTS ${WORKDIR}/out/${f})
      message(FATAL_ERROR "${who} did not write out/${f}")
    endif()
  endforeach()
endfunction()
