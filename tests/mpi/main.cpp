// The MPI tests' main: every rank runs every test case, in the same order, since Sampler::run is
// collective. MPI is initialised here, as a program that uses MPI itself would; parnest then
// leaves initialisation and finalisation to it. Without a launcher (test listing) MPI is not
// started at all.
#define CATCH_CONFIG_RUNNER
#include <mpi.h>
#include <catch2/catch.hpp>

#include <parnest/env.hpp>

int main(int argc, char* argv[]) {
  const bool launched = !parnest::detect_environment().launcher.empty();
  if (launched) {
    int provided = 0;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  }
  const int failures = Catch::Session().run(argc, argv);
  if (launched) {
    // A rank with failures must fail the job even if the others pass.
    int any = 0;
    MPI_Allreduce(&failures, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    MPI_Finalize();
    return any > 0 ? 1 : 0;
  }
  return failures > 0 ? 1 : 0;
}
