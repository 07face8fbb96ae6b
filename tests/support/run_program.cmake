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
