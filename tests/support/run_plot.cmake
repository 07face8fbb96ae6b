# Runs an example that writes output files, then tools/plot_run.py on them: the plot script
# must read every file parnest writes and produce an image.
include(${CMAKE_CURRENT_LIST_DIR}/run_program.cmake)
parnest_fresh_workdir()
parnest_run_checked(ignored ${EXAMPLE})
parnest_run_checked(out ${PYTHON} ${SCRIPT} out/line -o out/line.png)
if(NOT out MATCHES "sum of weights 1\\.000000")
  message(FATAL_ERROR "plot_run.py did not read weights that sum to one")
endif()
file(SIZE ${WORKDIR}/out/line.png size)
if(size LESS 20000)
  message(FATAL_ERROR "out/line.png has only ${size} bytes")
endif()
