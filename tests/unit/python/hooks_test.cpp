// Server hooks bridge: the Python `server`/`worker`/`req`/`resp` objects, hook errors that are
// logged rather than raised, and the no-op path when a hook is the default.
#include "python/configuration/hooks.hpp"

#include <gtest/gtest.h>

#include "http/request.hpp"
#include "python/configuration/config_file.hpp"
#include "python/configuration/config_objects.hpp"
#include "python_test_support.hpp"

namespace gf::python {
namespace {

using testing::py;

// Static: the bridge keeps pointers to the views for the life of the process, as the real
// arbiter and worker outlive every hook call.
class FakeServer final : public ServerView {
 public:
  const config::Config& config() const override { return cfg; }
  pid_t pid() const override { return 4242; }
  std::string proc_name() const override { return "fake"; }
  int num_workers() const override { return workers_wanted; }
  std::string worker_class_str() const override { return "gthread"; }
  void change_num_workers(int n) override { workers_wanted = n; }
  std::vector<WorkerInfo> workers() const override { return {{101, 1}, {102, 2}}; }

  config::Config cfg;
  int workers_wanted = 2;
};

class FakeWorker final : public WorkerView {
 public:
  const config::Config& config() const override { return server_cfg(); }
  int age() const override { return 7; }
  pid_t ppid() const override { return 4242; }
  uint64_t requests() const override { return 3; }
  bool alive() const override { return is_alive; }
  void stop() override { is_alive = false; }
  void notify() override { ++beats; }
  static const config::Config& server_cfg();

  bool is_alive = true;
  int beats = 0;
};

FakeServer& server() {
  static auto* s = new FakeServer();
  return *s;
}
const config::Config& FakeWorker::server_cfg() {
  return server().cfg;
}

// Applies a config-file body to the fake server's Config (hook functions kept).
void load(const std::string& source) {
  ConfigObjects::clear();
  PyRef names = PyRef::steal(PyDict_New());
  PyDict_SetItemString(names.get(), "__builtins__", PyEval_GetBuiltins());
  PyRef done = PyRef::steal(PyRun_String(source.c_str(), Py_file_input, names.get(), names.get()));
  ASSERT_TRUE(done);
  server().cfg = config::Config();
  ConfigFile::apply(server().cfg, names.get());
}

constexpr const char* kRecorder =
    "import builtins\n"
    "builtins.hook_calls = []\n"
    "def nworkers_changed(server, new, old):\n"
    "    builtins.hook_calls.append(('nworkers_changed', new, old, server.pid))\n"
    "def on_starting(server):\n"
    "    builtins.hook_calls.append(('on_starting', server.cfg.workers, server.cfg.bind,\n"
    "                                sorted(server.WORKERS), server.proc_name,\n"
    "                                server.cfg.worker_class_str))\n"
    "    server.num_workers = 5\n"
    "def when_ready(server):\n"
    "    raise RuntimeError('boom')\n"
    "def on_exit(server):\n"
    "    builtins.hook_calls.append(('on_exit', server.cfg.settings['workers'].value,\n"
    "                                server.cfg.env, callable(server.cfg.on_exit)))\n"
    "raw_env = ['A=1', 'B=x=y']\n"
    "def pre_fork(server, worker):\n"
    "    builtins.hook_calls.append(('pre_fork', worker.pid, worker.age))\n";

TEST(Hooks, MasterHooksSeeTheServer) {
  load(kRecorder);
  Hooks::nworkers_changed(server(), 2, std::nullopt);
  Hooks::nworkers_changed(server(), 3, 2);
  EXPECT_EQ(py("hook_calls"),
            "[('nworkers_changed', 2, None, 4242), ('nworkers_changed', 3, 2, 4242)]");
  Hooks::on_starting(server());
  EXPECT_EQ(py("hook_calls[-1]"),
            "('on_starting', 1, ['127.0.0.1:8000'], [101, 102], 'fake', 'gthread')");
  EXPECT_EQ(server().workers_wanted, 5);  // server.num_workers = 5 reached the arbiter
  Hooks::pre_fork(server(), WorkerInfo{0, 9});
  EXPECT_EQ(py("hook_calls[-1]"), "('pre_fork', None, 9)");
  Hooks::on_exit(server());
  EXPECT_EQ(py("hook_calls[-1]"), "('on_exit', 1, {'A': '1', 'B': 'x=y'}, True)");
}

TEST(Hooks, RaisingHookIsContained) {
  load(kRecorder);
  EXPECT_NO_THROW(Hooks::when_ready(server()));
  EXPECT_FALSE(PyErr_Occurred());
}

TEST(Hooks, DefaultHooksDoNothing) {
  load("workers = 3\n");
  testing::run_python("import builtins\nbuiltins.hook_calls = []\n");
  Hooks::on_starting(server());
  Hooks::on_exit(server());
  Hooks::nworkers_changed(server(), 1, std::nullopt);
  EXPECT_EQ(py("hook_calls"), "[]");
}

TEST(Hooks, WorkerAndRequestHooks) {
  load(
      "import builtins\n"
      "builtins.hook_calls = []\n"
      "def post_fork(server, worker):\n"
      "    worker.tmp.notify()\n"
      "    builtins.hook_calls.append(('post_fork', server.pid, worker.age, worker.ppid))\n"
      "def pre_request(worker, req):\n"
      "    builtins.hook_calls.append(('pre', req.method, req.path, req.query, req.headers))\n"
      "def post_request(worker, req):\n"  // the 2-parameter form
      "    builtins.hook_calls.append(('post', req.uri, worker.nr))\n"
      "    worker.alive = False\n");
  static auto* worker = new FakeWorker();
  Hooks::pre_fork(server(), WorkerInfo{0, 7});  // as the master does before every fork
  Hooks::post_fork(*worker);
  EXPECT_EQ(worker->beats, 1);
  EXPECT_EQ(py("hook_calls[-1]"), "('post_fork', 4242, 7, 4242)");
  ASSERT_TRUE(Hooks::request_hooks_active());
  EXPECT_TRUE(Hooks::custom_pre_request());

  http::RequestHead head;
  head.method = "GET";
  head.target = "/a?b=1";
  head.path = "/a";
  head.query = "b=1";
  head.headers = {{"HOST", "x"}};
  bool failed = true;
  PyObject* req = Hooks::pre_request(head, failed);
  ASSERT_NE(req, nullptr);
  EXPECT_FALSE(failed);
  EXPECT_EQ(py("hook_calls[-1]"), "('pre', 'GET', '/a', 'b=1', [('HOST', 'x')])");
  Hooks::post_request(req, head, nullptr, nullptr);
  EXPECT_EQ(py("hook_calls[-1]"), "('post', '/a?b=1', 3)");
  EXPECT_FALSE(worker->is_alive);
}

}  // namespace
}  // namespace gf::python
