//===- Tune.cpp - lathe tune ----------------------------------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements `lathe tune`: the model's kernels are tuned by the
// autotuner (autotune/Tuner.h) within a time or trial budget, every
// measurement going to the tuning database, with a live progress line, a
// final table per kernel and a plot of the model's estimated latency
// against trials written next to the database (docs/cli.md,
// docs/autotune.md).
//
//===----------------------------------------------------------------------===//

#include "tools/lathe/Commands.h"
#include "tools/lathe/ModelInfo.h"

#include "autotune/Tuner.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <thread>

#include "tools/lathe/LatheVersion.inc"

using namespace llvm;
using namespace lathe::autotune;

namespace lathe::cli {

namespace {
/// The description of --db, naming the default database (cl::desc keeps a
/// reference: the text must outlive the option).
static StringRef tuneDBDescription() {
  static const std::string text =
      "Tuning database to record every measurement in, created if missing "
      "(default: " +
      TuningDatabase::defaultPath() + ")";
  return text;
}

/// The options of `lathe tune`.
struct TuneCommandOptions {
  TuneCommandOptions(cl::SubCommand &sub, cl::OptionCategory &category)
      : time("time",
             cl::desc("Wall-clock budget: a number with an s, m or h suffix "
                      "(10m, 90s, 1h; a bare number is seconds)"),
             cl::value_desc("duration"), cl::sub(sub), cl::cat(category)),
        trials("trials",
               cl::desc("Budget in measured trials (with --time: whichever "
                        "ends first)"),
               cl::value_desc("N"), cl::init(0), cl::sub(sub),
               cl::cat(category)),
        db("db",
           cl::desc(tuneDBDescription()),
           cl::value_desc("path"), cl::sub(sub), cl::cat(category)),
        threads("threads",
                cl::desc("Threads the kernels run on while measured (default "
                         "1); tune with the count you will run with"),
                cl::value_desc("N"), cl::init(1), cl::sub(sub),
                cl::cat(category)),
        costModel("cost-model",
                  cl::desc("Cost model to rank candidates with until the "
                           "tuner has trained its own: an XGBoost model "
                           "file, 'pretrained' (the one shipped with Lathe, "
                           "the default) or 'analytical'"),
                  cl::value_desc("path"), cl::init("pretrained"), cl::sub(sub),
                  cl::cat(category)),
        candidates("candidates",
                   cl::desc("Candidates the cost model ranks per round "
                            "(default 128)"),
                   cl::value_desc("N"), cl::init(128), cl::sub(sub),
                   cl::cat(category)),
        measurements(
            "measure", cl::desc("Candidates measured per round (default 8)"),
            cl::value_desc("N"), cl::init(8), cl::sub(sub), cl::cat(category)),
        epsilon("epsilon",
                cl::desc("Share of each round's measurements picked at random "
                         "instead of by the cost model (default 0.2)"),
                cl::init(0.2), cl::sub(sub), cl::cat(category)),
        repeats("repeats",
                cl::desc("Timed runs of each candidate, after one warm-up; "
                         "the median counts (default 10)"),
                cl::value_desc("N"), cl::init(10), cl::sub(sub),
                cl::cat(category)),
        timeout("timeout",
                cl::desc("Seconds a candidate may run (warm-up and repeats) "
                         "before it is killed and recorded as a timeout "
                         "(default 10)"),
                cl::init(10.0), cl::sub(sub), cl::cat(category)),
        seed("seed", cl::desc("Seed of the search (default 1)"), cl::init(1),
             cl::sub(sub), cl::cat(category)),
        retune("retune",
               cl::desc("Tune kernels whose workloads have records already "
                        "(by default they are reused, with no new trials)"),
               cl::init(false), cl::sub(sub), cl::cat(category)),
        plot("plot",
             cl::desc("Where to write the SVG plot of the estimated latency "
                      "against trials (default: next to the database, "
                      "<db>.<model>.svg)"),
             cl::value_desc("path"), cl::sub(sub), cl::cat(category)),
        coldCaches("cold-caches",
                   cl::desc("Flush the core's caches before every run of a "
                            "candidate (4 x L2 of scratch written, untimed); "
                            "by default each run follows the previous one, "
                            "its data still in cache, which is what "
                            "predicts a kernel's time inside the model"),
                   cl::init(false), cl::sub(sub), cl::cat(category)),
        kernels("kernel",
                cl::desc("Tune only this kernel (a name or workload key as "
                         "`lathe inspect --kernels` lists them; repeatable)"),
                cl::value_desc("name"), cl::sub(sub), cl::cat(category)),
        quiet("quiet", cl::desc("No progress line"), cl::init(false),
              cl::sub(sub), cl::cat(category)),
        inputShapes("input-shape",
                    cl::desc("Shape of a graph input, for symbolic or unknown "
                             "dimensions (repeatable)"),
                    cl::value_desc("name=1x3x224x224"), cl::sub(sub),
                    cl::cat(category)) {}

  cl::opt<std::string> time;
  cl::opt<int64_t> trials;
  cl::opt<std::string> db;
  cl::opt<unsigned> threads;
  cl::opt<std::string> costModel;
  cl::opt<unsigned> candidates;
  cl::opt<unsigned> measurements;
  cl::opt<double> epsilon;
  cl::opt<unsigned> repeats;
  cl::opt<double> timeout;
  cl::opt<uint64_t> seed;
  cl::opt<bool> retune;
  cl::opt<std::string> plot;
  cl::opt<bool> coldCaches;
  cl::list<std::string> kernels;
  cl::opt<bool> quiet;
  cl::list<std::string> inputShapes;
};

/// Seconds of a duration such as "10m", "90s", "1.5h" or "600"; none if it
/// is not one.
std::optional<double> parseDuration(StringRef text) {
  text = text.trim();
  double scale = 1;
  if (text.consume_back("h"))
    scale = 3600;
  else if (text.consume_back("m"))
    scale = 60;
  else
    text.consume_back("s");
  double value;
  if (text.empty() || text.getAsDouble(value) || !(value > 0))
    return std::nullopt;
  return value * scale;
}

std::string formatSeconds(double seconds) {
  if (!std::isfinite(seconds))
    return "?";
  int64_t s = int64_t(std::llround(seconds));
  if (s >= 3600)
    return formatv("{0}h{1:2}m", s / 3600, (s % 3600) / 60).str();
  if (s >= 60)
    return formatv("{0}m{1:2}s", s / 60, s % 60).str();
  return formatv("{0}s", s).str();
}

std::string formatUs(double us) {
  if (std::isnan(us))
    return "-";
  if (us >= 1000)
    return formatv("{0:F2} ms", us / 1000).str();
  return formatv("{0:F1} us", us).str();
}

/// Writes the curve as an SVG line plot: best estimated latency (ms)
/// against trials.
Error writePlot(StringRef path, const TuneReport &report, StringRef title) {
  std::error_code ec;
  raw_fd_ostream os(path, ec);
  if (ec)
    return createStringError(ec, "cannot write the plot '" + path +
                                     "': " + ec.message());
  const double width = 640, height = 400, left = 70, right = 20, top = 40,
               bottom = 50;
  int64_t maxTrials = 1;
  double lo = INFINITY, hi = 0;
  for (auto [trials, us] : report.curve) {
    maxTrials = std::max(maxTrials, trials);
    lo = std::min(lo, us / 1000);
    hi = std::max(hi, us / 1000);
  }
  if (!(hi > lo)) {
    hi = (std::isfinite(lo) ? lo : 1) * 1.05;
    lo = hi / 1.1;
  }
  double pad = (hi - lo) * 0.1;
  lo = std::max(0.0, lo - pad);
  hi += pad;
  auto x = [&](double t) {
    return left + (width - left - right) * t / double(maxTrials);
  };
  auto y = [&](double ms) {
    return top + (height - top - bottom) * (hi - ms) / (hi - lo);
  };
  os << formatv("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" "
                "height=\"{1}\" font-family=\"sans-serif\" font-size=\"12\">\n",
                width, height);
  os << formatv("<rect width=\"{0}\" height=\"{1}\" fill=\"white\"/>\n", width,
                height);
  os << formatv("<text x=\"{0}\" y=\"22\" text-anchor=\"middle\" "
                "font-size=\"14\">{1}</text>\n",
                width / 2, title);
  // Axes, five ticks each.
  os << formatv("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" "
                "stroke=\"black\"/>\n",
                left, top, height - bottom);
  os << formatv("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" "
                "stroke=\"black\"/>\n",
                left, height - bottom, width - right);
  for (int i = 0; i <= 4; ++i) {
    double ms = lo + (hi - lo) * i / 4;
    os << formatv(
        "<text x=\"{0}\" y=\"{1}\" text-anchor=\"end\">{2:F2}</text>\n",
        left - 6, y(ms) + 4, ms);
    double t = maxTrials * i / 4.0;
    os << formatv(
        "<text x=\"{0}\" y=\"{1}\" text-anchor=\"middle\">{2}</text>\n", x(t),
        height - bottom + 18, int64_t(std::llround(t)));
  }
  os << formatv("<text x=\"{0}\" y=\"{1}\" text-anchor=\"middle\">trials"
                "</text>\n",
                (left + width - right) / 2, height - 10);
  os << formatv("<text x=\"16\" y=\"{0}\" text-anchor=\"middle\" "
                "transform=\"rotate(-90 16 {0})\">estimated latency (ms)"
                "</text>\n",
                (top + height - bottom) / 2);
  os << "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" "
        "points=\"";
  for (auto [trials, us] : report.curve)
    os << formatv("{0:F1},{1:F1} ", x(trials), y(us / 1000));
  os << "\"/>\n</svg>\n";
  return Error::success();
}

int runTune(const TuneCommandOptions &o, StringRef modelPath) {
  auto fail = [&](const Twine &message) {
    errs() << "lathe tune: " << message << "\n";
    return 1;
  };
  TuneOptions options;
  if (o.time.getNumOccurrences()) {
    std::optional<double> seconds = parseDuration(o.time);
    if (!seconds)
      return fail("--time: '" + o.time + "' is not a duration (10m, 90s, 1h)");
    options.timeBudgetSeconds = *seconds;
  }
  if (o.trials < 0)
    return fail("--trials must be positive");
  options.trialBudget = o.trials;
  if (options.timeBudgetSeconds <= 0 && options.trialBudget <= 0)
    return fail("give a budget: --time (e.g. --time 10m) or --trials N");
  if (o.threads < 1)
    return fail("--threads must be at least 1");
  if (o.candidates < 1 || o.measurements < 1)
    return fail("--candidates and --measure must be at least 1");
  if (o.measurements > o.candidates)
    return fail("--measure (" + Twine(unsigned(o.measurements)) +
                ") cannot exceed --candidates (" +
                Twine(unsigned(o.candidates)) + ")");
  if (!(o.epsilon >= 0 && o.epsilon <= 1))
    return fail("--epsilon must be between 0 and 1");
  if (o.repeats < 1)
    return fail("--repeats must be at least 1");
  if (!(o.timeout > 0))
    return fail("--timeout must be positive");
  options.threads = o.threads;
  options.candidatesPerRound = o.candidates;
  options.measurementsPerRound = o.measurements;
  options.epsilon = o.epsilon;
  options.measure.repeats = o.repeats;
  options.measure.timeoutSeconds = o.timeout;
  // Short kernels repeat until 30 ms are timed (at most 200 runs): medians
  // of µs runs are noisy.
  options.measure.minRepeatSeconds = 0.03;
  options.measure.maxRepeats = 200;
  options.coldCaches = o.coldCaches;
  options.onlyKernels.assign(o.kernels.begin(), o.kernels.end());
  // Ranking uses every core; nothing is measured meanwhile.
  options.featureThreads =
      std::max(1u, std::min(4u, std::thread::hardware_concurrency()));
  options.seed = o.seed;
  options.retune = o.retune;
  options.compilerVersion = LATHE_GIT_DESCRIBE;
  options.peakGflops = measureFmaPeak().first * o.threads;

  mlir::DialectRegistry registry;
  registerCPULoweringDependencies(registry);
  mlir::MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();
  auto module = importModel("tune", modelPath, o.inputShapes, ctx);
  if (failed(module))
    return 1;

  if (o.costModel == "pretrained") {
    std::string path = pretrainedCostModelPath();
    if (sys::fs::exists(path))
      options.costModelPath = path;
    else
      errs() << "lathe tune: warning: no pretrained cost model at '" << path
             << "'; starting from the analytical model\n";
  } else if (o.costModel != "analytical") {
    options.costModelPath = o.costModel;
    if (!sys::fs::exists(options.costModelPath))
      return fail("--cost-model: no such file '" + options.costModelPath +
                  "' (give an XGBoost model, 'pretrained' or 'analytical')");
  }

  std::string dbPath = o.db.getNumOccurrences() ? o.db.getValue()
                                                : TuningDatabase::defaultPath();
  auto db = TuningDatabase::open(dbPath);
  if (!db)
    return fail(toString(db.takeError()));

  bool tty = sys::Process::StandardErrIsDisplayed();
  double lastPrinted = -1e9;
  options.log = [&](const std::string &line) {
    if (tty && !o.quiet)
      errs() << "\r\033[K";
    errs() << "lathe tune: " << line << "\n";
  };
  options.progress = [&](const TuneProgress &p) {
    if (o.quiet)
      return;
    // On a terminal a line redrawn in place; in a log, one every 10 s.
    if (!tty && p.elapsedSeconds - lastPrinted < 10)
      return;
    lastPrinted = p.elapsedSeconds;
    std::string line = formatv(
        "trials {0} | best estimate {1} (default {2}, {3:F2}x) | {4} elapsed, "
        "ETA {5} | {6}",
        p.trials, formatUs(p.bestEstimateUs), formatUs(p.defaultEstimateUs),
        p.bestEstimateUs > 0 ? p.defaultEstimateUs / p.bestEstimateUs : 0.0,
        formatSeconds(p.elapsedSeconds), formatSeconds(p.etaSeconds), p.kernel);
    if (tty)
      errs() << "\r\033[K" << line;
    else
      errs() << "lathe tune: " << line << "\n";
  };

  Expected<TuneReport> report = tuneModel(**module, **db, options);
  if (tty && !o.quiet)
    errs() << "\r\033[K";
  if (!report)
    return fail(modelPath + ": " + toString(report.takeError()));

  raw_ostream &os = outs();
  SmallVector<SmallVector<std::string>> table;
  table.push_back({"kernel", "uses", "default", "tuned", "speedup", "trials",
                   "failed", "ops", "note"});
  double defaultSum = 0, tunedSum = 0;
  for (const TaskReport &t : report->tasks) {
    double speedup = t.defaultUs / t.bestUs;
    if (!std::isnan(t.defaultUs))
      defaultSum += t.uses * t.defaultUs;
    if (!std::isnan(t.bestUs))
      tunedSum += t.uses * t.bestUs;
    table.push_back(
        {t.kernel, std::to_string(t.uses), formatUs(t.defaultUs),
         formatUs(t.bestUs),
         std::isnan(speedup) ? "-" : formatv("{0:F2}x", speedup).str(),
         std::to_string(t.trials), std::to_string(t.failed), t.ops, t.note});
  }
  printTable(os, table,
             {false, true, true, true, true, true, true, false, false});
  os << "\nmodel estimate (sum of kernel latencies x uses): default "
     << formatUs(defaultSum) << ", tuned " << formatUs(tunedSum);
  if (tunedSum > 0)
    os << formatv(" ({0:F2}x)", defaultSum / tunedSum);
  os << "\n"
     << report->trials << " trials in " << formatSeconds(report->seconds)
     << "; " << report->candidatesRanked << " candidates ranked ("
     << formatv("{0:F1}", report->featureSeconds)
     << " s of feature extraction); cost model: " << report->costModel << "\n"
     << "records: " << (*db)->getPath() << "\n";

  std::string plotPath = o.plot;
  if (plotPath.empty())
    plotPath = (dbPath + "." + sys::path::stem(modelPath) + ".svg").str();
  if (Error err =
          writePlot(plotPath, *report,
                    ("lathe tune " + sys::path::filename(modelPath)).str()))
    return fail(toString(std::move(err)));
  os << "plot: " << plotPath << "\n";
  return 0;
}
} // namespace

Runner declareTune(cl::SubCommand &sub, cl::OptionCategory &category) {
  auto options = std::make_shared<TuneCommandOptions>(sub, category);
  return [options](StringRef model) { return runTune(*options, model); };
}

} // namespace lathe::cli
