#pragma once
/// @file parnest.hpp
/// Everything a user of parnest needs: include this one header.

#include "parnest/backend/batch.hpp"
#include "parnest/backend/sequential.hpp"
#include "parnest/backend/smc.hpp"
#include "parnest/env.hpp"
#include "parnest/error.hpp"
#include "parnest/io/write.hpp"
#include "parnest/log.hpp"
#include "parnest/model.hpp"
#include "parnest/options.hpp"
#include "parnest/pool/pool.hpp"
#include "parnest/pool/process.hpp"
#include "parnest/pool/ranks.hpp"
#include "parnest/pool/serial.hpp"
#include "parnest/pool/thread.hpp"
#include "parnest/prior.hpp"
#include "parnest/progress.hpp"
#include "parnest/result.hpp"
#include "parnest/rng.hpp"
#include "parnest/sampler.hpp"
#include "parnest/version.hpp"

#ifdef PARNEST_HAVE_MPI
#include "parnest/pool/mpi.hpp"
#endif
