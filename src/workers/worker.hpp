// What a worker process runs once its app is loaded: one worker type's serving loop.
#pragma once

namespace gf::workers {

class Worker {
 public:
  virtual ~Worker() = default;
  // Serves until the worker should exit. Called with the main thread's GIL released; the object
  // is built and destroyed with it held.
  virtual void run() = 0;
};

}  // namespace gf::workers
