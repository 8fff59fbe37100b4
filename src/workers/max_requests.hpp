// How many requests a worker serves before it restarts itself: Gunicorn's
// max_requests + randint(0, max_requests_jitter), drawn once per worker; unlimited when 0.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>

#include "config/config.hpp"

namespace gf::workers {

inline uint64_t max_requests_for(const config::Config& cfg) {
  const int64_t base = cfg.get_int("max_requests");
  if (base <= 0) return UINT64_MAX;
  std::uniform_int_distribution<int64_t> draw(
      0, std::max<int64_t>(0, cfg.get_int("max_requests_jitter")));
  std::random_device seed;
  return static_cast<uint64_t>(base + draw(seed));
}

}  // namespace gf::workers
