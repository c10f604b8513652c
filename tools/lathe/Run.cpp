//===- Run.cpp - lathe run ------------------------------------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements `lathe run`: import an ONNX model, compile it with the
// JIT, run it on inputs read from .npy files or filled with seeded random
// values, print a checksum of each output, save the outputs as .npy files
// and, with --bench, time repeated runs.
//
//===----------------------------------------------------------------------===//

#include "tools/lathe/Commands.h"
#include "tools/lathe/ModelInfo.h"
#include "tools/lathe/Npy.h"
#include "tools/lathe/TuningDB.h"

#include "passes/Pipelines.h"
#include "runtime/JIT.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>

using namespace llvm;

namespace lathe::cli {

namespace {
//===----------------------------------------------------------------------===//
// Options
//===----------------------------------------------------------------------===//

/// The options of `lathe run`.
struct RunOptions {
  RunOptions(cl::SubCommand &sub, cl::OptionCategory &category)
      : inputs("input",
               cl::desc("Read graph input <name> from a .npy file "
                        "(repeatable; inputs not given are random)"),
               cl::value_desc("name=file.npy"), cl::sub(sub),
               cl::cat(category)),
        outputDir("output-dir",
                  cl::desc("Directory to write each output to, as "
                           "<name>.npy (default: the current directory; "
                           "created if missing)"),
                  cl::value_desc("dir"), cl::init("."), cl::sub(sub),
                  cl::cat(category)),
        noSave("no-save", cl::desc("Do not write the outputs"), cl::init(false),
               cl::sub(sub), cl::cat(category)),
        saveInputs("save-inputs",
                   cl::desc("Also write the inputs used (given or random) to "
                            "<output-dir>/inputs/<name>.npy"),
                   cl::init(false), cl::sub(sub), cl::cat(category)),
        bench("bench",
              cl::desc("After one warm-up run, run N more times and print "
                       "the median, min and mean latency"),
              cl::value_desc("N"), cl::init(0), cl::sub(sub),
              cl::cat(category)),
        threads("threads",
                cl::desc("Threads that run the parallel loops of kernels "
                         "(those of a #sched.config with outer tiles and "
                         "parallel loops; default 1: sequential loops)"),
                cl::value_desc("N"), cl::init(1), cl::sub(sub),
                cl::cat(category)),
        inputShapes("input-shape",
                    cl::desc("Shape of a graph input, for symbolic or unknown "
                             "dimensions (repeatable)"),
                    cl::value_desc("name=1x3x224x224"), cl::sub(sub),
                    cl::cat(category)),
        seed("seed",
             cl::desc("Seed of the random inputs (default 0): floats are "
                      "uniform in [-1, 1), integers in [0, 10), booleans "
                      "0 or 1"),
             cl::value_desc("S"), cl::init(0), cl::sub(sub), cl::cat(category)),
        json("json",
             cl::desc("Print the results as one JSON object (nothing else "
                      "on stdout)"),
             cl::init(false), cl::sub(sub), cl::cat(category)),
        tuning(sub, category) {}

  cl::list<std::string> inputs;
  cl::opt<std::string> outputDir;
  cl::opt<bool> noSave;
  cl::opt<bool> saveInputs;
  cl::opt<int> bench;
  cl::opt<int> threads;
  cl::list<std::string> inputShapes;
  cl::opt<uint64_t> seed;
  cl::opt<bool> json;
  TuningDBOptions tuning;
};

/// Prints `lathe run: <message>` on stderr and returns the exit code 1.
int fail(const Twine &message) {
  errs() << "lathe run: " << message << "\n";
  return 1;
}

//===----------------------------------------------------------------------===//
// Element access
//===----------------------------------------------------------------------===//

bool isFloat(DType dtype) {
  return dtype == DType::f16 || dtype == DType::bf16 || dtype == DType::f32 ||
         dtype == DType::f64;
}

/// Element `i` of a dense buffer of `dtype`, as a double.
double elementAt(const uint8_t *data, DType dtype, size_t i) {
  auto load = [&](auto zero) {
    decltype(zero) v;
    std::memcpy(&v, data + i * sizeof(v), sizeof(v));
    return v;
  };
  switch (dtype) {
  case DType::f16:
    return APFloat(APFloat::IEEEhalf(), APInt(16, load(uint16_t())))
        .convertToDouble();
  case DType::bf16:
    return APFloat(APFloat::BFloat(), APInt(16, load(uint16_t())))
        .convertToDouble();
  case DType::f32:
    return load(float());
  case DType::f64:
    return load(double());
  case DType::i1:
    return data[i] ? 1 : 0;
  case DType::i8:
    return static_cast<int8_t>(data[i]);
  case DType::i32:
    return load(int32_t());
  case DType::i64:
    return static_cast<double>(load(int64_t()));
  }
  llvm_unreachable("unknown dtype");
}

/// Stores `value` (exactly representable or rounded to nearest) as element
/// `i` of a dense buffer of `dtype`.
void storeElement(uint8_t *data, DType dtype, size_t i, double value) {
  auto store = [&](auto v) {
    std::memcpy(data + i * sizeof(v), &v, sizeof(v));
  };
  auto store16 = [&](const fltSemantics &semantics) {
    APFloat f(value);
    bool lostInfo;
    f.convert(semantics, APFloat::rmNearestTiesToEven, &lostInfo);
    store(static_cast<uint16_t>(f.bitcastToAPInt().getZExtValue()));
  };
  switch (dtype) {
  case DType::f16:
    return store16(APFloat::IEEEhalf());
  case DType::bf16:
    return store16(APFloat::BFloat());
  case DType::f32:
    return store(static_cast<float>(value));
  case DType::f64:
    return store(value);
  case DType::i1:
  case DType::i8:
    data[i] = static_cast<uint8_t>(static_cast<int64_t>(value));
    return;
  case DType::i32:
    return store(static_cast<int32_t>(value));
  case DType::i64:
    return store(static_cast<int64_t>(value));
  }
  llvm_unreachable("unknown dtype");
}

/// Fills input number `index` with random values from its own generator,
/// seeded with (seed, index) so that giving one input from a file leaves
/// the others unchanged: floats uniform in [-1, 1) (multiples of 2^-23),
/// integers uniform in [0, 10), booleans 0 or 1.
void fillRandom(std::vector<uint8_t> &buffer, DType dtype, uint64_t seed,
                uint32_t index) {
  std::seed_seq seq{static_cast<uint32_t>(seed),
                    static_cast<uint32_t>(seed >> 32), index};
  std::mt19937_64 rng(seq);
  size_t n = buffer.size() / dtypeSize(dtype);
  for (size_t i = 0; i < n; ++i) {
    uint64_t bits = rng();
    double value;
    if (isFloat(dtype))
      value = std::ldexp(static_cast<double>(bits >> 40), -23) - 1.0;
    else if (dtype == DType::i1)
      value = static_cast<double>(bits >> 63);
    else
      value = static_cast<double>((bits >> 32) % 10);
    storeElement(buffer.data(), dtype, i, value);
  }
}

/// Sum and mean absolute value of a dense buffer.
struct Checksum {
  double sum = 0;
  double meanAbs = 0;
};

Checksum checksum(const std::vector<uint8_t> &buffer, DType dtype) {
  Checksum c;
  size_t n = buffer.size() / dtypeSize(dtype);
  double sumAbs = 0;
  for (size_t i = 0; i < n; ++i) {
    double v = elementAt(buffer.data(), dtype, i);
    c.sum += v;
    sumAbs += std::fabs(v);
  }
  c.meanAbs = n ? sumAbs / n : 0;
  return c;
}

//===----------------------------------------------------------------------===//
// Files
//===----------------------------------------------------------------------===//

/// File names for tensors called `names`: each name with every character
/// outside [A-Za-z0-9._-] replaced by '_', a leading '.' by '_', cut to 200
/// characters, and `_<k>` appended where two names would collide (compared
/// without case, for case-insensitive file systems). Ends in ".npy".
SmallVector<std::string> fileNames(ArrayRef<std::string> names) {
  SmallVector<std::string> files;
  StringSet<> taken;
  for (const std::string &name : names) {
    std::string base;
    for (char c : StringRef(name).take_front(200))
      base += isAlnum(c) || c == '.' || c == '_' || c == '-' ? c : '_';
    if (base.empty() || base[0] == '.')
      base.insert(base.begin(), '_');
    std::string file = base;
    for (int k = 1; taken.contains(StringRef(file).lower()); ++k)
      file = base + "_" + std::to_string(k);
    taken.insert(StringRef(file).lower());
    files.push_back(file + ".npy");
  }
  return files;
}

/// Splits an --input value into the input it names and the file. The name
/// is the part before the first '=' that yields one of `names` (ONNX names
/// may contain '='); a model with one input also takes a bare file name.
/// Returns the index of the input, or an error.
Expected<std::pair<size_t, std::string>>
resolveInput(StringRef spec, ArrayRef<TensorInfo> inputs) {
  for (size_t pos = spec.find('='); pos != StringRef::npos;
       pos = spec.find('=', pos + 1))
    for (auto [i, input] : llvm::enumerate(inputs))
      if (input.name == spec.take_front(pos))
        return std::pair(i, spec.drop_front(pos + 1).str());
  std::string known;
  for (auto [i, input] : llvm::enumerate(inputs))
    known += (i ? ", '" : "'") + input.name + "'";
  if (!spec.contains('=')) {
    if (inputs.size() == 1)
      return std::pair(size_t(0), spec.str());
    return createStringError(inconvertibleErrorCode(),
                             "--input " + spec +
                                 ": expected <name>=<file.npy> (the model's "
                                 "inputs are " +
                                 known + ")");
  }
  return createStringError(inconvertibleErrorCode(),
                           "--input " + spec + ": the model has no input '" +
                               spec.take_front(spec.find('=')) +
                               "' (its inputs: " + known + ")");
}

//===----------------------------------------------------------------------===//
// Output
//===----------------------------------------------------------------------===//

/// A number for text output: 7 significant digits; "nan", "inf", "-inf".
std::string formatNumber(double v) {
  if (std::isnan(v))
    return "nan";
  if (std::isinf(v))
    return v > 0 ? "inf" : "-inf";
  std::string s;
  raw_string_ostream os(s);
  os << format("%.7g", v);
  return s;
}

/// Milliseconds for text output.
std::string formatMs(double ms) {
  std::string s;
  raw_string_ostream os(s);
  if (ms >= 1000)
    os << format("%.1f", ms);
  else
    os << format("%.4g", ms);
  return s;
}

/// A double for JSON: NaN and infinities (which JSON cannot hold) as null.
json::Value jsonNumber(double v) {
  if (!std::isfinite(v))
    return nullptr;
  return v;
}

/// What ran on one input.
struct InputRecord {
  const TensorSpec *spec;
  std::string file; ///< The .npy it came from; empty when random.
  std::vector<uint8_t> buffer;
  std::string savedTo;
};

/// What came out of one output.
struct OutputRecord {
  const TensorSpec *spec;
  std::vector<uint8_t> buffer;
  Checksum sum;
  std::string savedTo;
};

/// Latency statistics of --bench, in milliseconds.
struct BenchStats {
  int runs = 0;
  double median = 0, min = 0, mean = 0;
};

BenchStats summarize(SmallVector<double> samples) {
  BenchStats stats;
  stats.runs = samples.size();
  llvm::sort(samples);
  size_t n = samples.size();
  stats.median =
      n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
  stats.min = samples.front();
  double total = 0;
  for (double s : samples)
    total += s;
  stats.mean = total / n;
  return stats;
}

//===----------------------------------------------------------------------===//
// lathe run
//===----------------------------------------------------------------------===//

int runRun(const RunOptions &o, StringRef modelPath) {
  using Clock = std::chrono::steady_clock;
  auto msSince = [](Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start)
        .count();
  };

  // Options that need no model.
  if (o.threads < 1)
    return fail("--threads must be at least 1, got " + Twine(int(o.threads)));
  if (o.bench < 0)
    return fail("--bench must be a number of runs (0 or more), got " +
                Twine(int(o.bench)));
  bool save = !o.noSave;
  if (o.noSave && o.outputDir.getNumOccurrences())
    return fail("--output-dir and --no-save contradict each other; give one");
  if (o.noSave && o.saveInputs)
    return fail("--save-inputs and --no-save contradict each other; give one");
  if (save && o.outputDir.empty())
    return fail("--output-dir is empty; give a directory, or --no-save to "
                "skip writing the outputs");

  Clock::time_point compileStart = Clock::now();
  mlir::DialectRegistry registry;
  registerCPULoweringDependencies(registry);
  mlir::MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();
  auto module = importModel("run", modelPath, o.inputShapes, ctx);
  if (failed(module))
    return 1;
  auto main = (*module)->lookupSymbol<mlir::func::FuncOp>("main");
  if (!main)
    return fail(modelPath + ": the imported module has no @main");
  SmallVector<TensorInfo> inputInfos =
      describeSignature(main, /*results=*/false);

  // Read the given inputs before the (slower) compilation, and check them
  // against the signature.
  SmallVector<std::optional<npy::Array>> given(inputInfos.size());
  SmallVector<std::string> givenFiles(inputInfos.size());
  for (const std::string &spec : o.inputs) {
    auto resolved = resolveInput(spec, inputInfos);
    if (!resolved)
      return fail(toString(resolved.takeError()));
    auto [index, file] = *resolved;
    const TensorInfo &info = inputInfos[index];
    if (given[index])
      return fail("--input " + spec + ": input '" + info.name +
                  "' is given twice (also by " + givenFiles[index] + ")");
    auto array = npy::read(file);
    if (!array)
      return fail("input '" + info.name + "': " + toString(array.takeError()));
    std::optional<DType> expected = dtypeOf(info.elementType);
    std::string expectedType = formatElementType(info.elementType);
    if (!expected || *expected != array->dtype) {
      std::optional<StringRef> descr =
          expected ? npy::descrOf(*expected) : std::nullopt;
      return fail("input '" + info.name + "': " + file + " has dtype " +
                  stringifyDType(array->dtype) + " ('" +
                  *npy::descrOf(array->dtype) + "'), the model expects " +
                  expectedType + (descr ? " ('" + *descr + "')" : ""));
    }
    if (ArrayRef<int64_t>(array->shape) != ArrayRef<int64_t>(info.shape))
      return fail("input '" + info.name + "': " + file + " has shape " +
                  formatShape(array->shape) + ", the model expects " +
                  formatShape(info.shape) +
                  " (the model's shapes are fixed at import: --input-shape "
                  "sets symbolic dimensions)");
    given[index] = std::move(*array);
    givenFiles[index] = file;
  }

  // Create the output directory before compiling, so that a bad one fails
  // early.
  if (save) {
    if (std::error_code ec = sys::fs::create_directories(o.outputDir))
      return fail("--output-dir " + o.outputDir +
                  ": cannot create the directory: " + ec.message());
    if (!sys::fs::is_directory(o.outputDir))
      return fail("--output-dir " + o.outputDir +
                  ": exists and is not a directory");
    if (o.saveInputs) {
      SmallString<128> inputsDir(o.outputDir.getValue());
      sys::path::append(inputsDir, "inputs");
      if (std::error_code ec = sys::fs::create_directories(inputsDir))
        return fail("--save-inputs: cannot create " + inputsDir + ": " +
                    ec.message());
    }
  }

  mlir::FailureOr<std::string> tuningDB = resolveTuningDB(o.tuning, "run");
  if (failed(tuningDB))
    return 1;
  JITOptions jitOptions;
  jitOptions.threads = o.threads.getValue();
  jitOptions.tuningDB = *tuningDB;
  auto model = JITModel::compile(**module, "main", jitOptions);
  if (!model)
    return fail(toString(model.takeError()));
  double compileMs = msSince(compileStart);

  // Inputs: the given arrays, or random values.
  SmallVector<InputRecord> inputs;
  for (auto [i, spec] : llvm::enumerate((*model)->inputs())) {
    InputRecord record{&spec, givenFiles[i], {}, {}};
    if (given[i]) {
      record.buffer = std::move(given[i]->data);
    } else {
      record.buffer.resize(spec.numBytes());
      fillRandom(record.buffer, spec.dtype, o.seed, i);
    }
    inputs.push_back(std::move(record));
  }
  SmallVector<OutputRecord> outputs;
  for (const TensorSpec &spec : (*model)->outputs())
    outputs.push_back({&spec, std::vector<uint8_t>(spec.numBytes()), {}, {}});
  SmallVector<const void *> inputPointers;
  for (InputRecord &in : inputs)
    inputPointers.push_back(in.buffer.data());
  SmallVector<void *> outputPointers;
  for (OutputRecord &out : outputs)
    outputPointers.push_back(out.buffer.data());

  // The first run gives the outputs and is the warm-up of --bench.
  if (Error err = (*model)->run(inputPointers, outputPointers))
    return fail(toString(std::move(err)));
  std::optional<BenchStats> bench;
  if (o.bench > 0) {
    SmallVector<double> samples;
    for (int i = 0; i < o.bench; ++i) {
      Clock::time_point start = Clock::now();
      if (Error err = (*model)->run(inputPointers, outputPointers))
        return fail(toString(std::move(err)));
      samples.push_back(msSince(start));
    }
    bench = summarize(std::move(samples));
  }

  // Checksums and files.
  SmallVector<std::string> outputNames;
  for (OutputRecord &out : outputs) {
    out.sum = checksum(out.buffer, out.spec->dtype);
    outputNames.push_back(out.spec->name);
  }
  if (save) {
    for (auto [out, file] : llvm::zip_equal(outputs, fileNames(outputNames))) {
      SmallString<128> path(o.outputDir.getValue());
      sys::path::append(path, file);
      if (Error err = npy::write(path, out.spec->dtype, out.spec->shape,
                                 out.buffer.data()))
        return fail("output '" + out.spec->name +
                    "': " + toString(std::move(err)));
      out.savedTo = path.str().str();
    }
  }
  if (o.saveInputs) {
    SmallVector<std::string> inputNames;
    for (InputRecord &in : inputs)
      inputNames.push_back(in.spec->name);
    for (auto [in, file] : llvm::zip_equal(inputs, fileNames(inputNames))) {
      SmallString<128> path(o.outputDir.getValue());
      sys::path::append(path, "inputs", file);
      if (Error err = npy::write(path, in.spec->dtype, in.spec->shape,
                                 in.buffer.data()))
        return fail("input '" + in.spec->name +
                    "': " + toString(std::move(err)));
      in.savedTo = path.str().str();
    }
  }

  if (o.json) {
    json::Array inputsJSON, outputsJSON;
    for (const InputRecord &in : inputs)
      inputsJSON.push_back(json::Object{
          {"name", in.spec->name},
          {"shape", shapeToJSON(in.spec->shape)},
          {"dtype", stringifyDType(in.spec->dtype)},
          {"source", in.file.empty() ? "random" : "file"},
          {"file", in.file.empty() ? json::Value(nullptr) : in.file},
          {"saved_to",
           in.savedTo.empty() ? json::Value(nullptr) : in.savedTo}});
    for (const OutputRecord &out : outputs)
      outputsJSON.push_back(
          json::Object{{"name", out.spec->name},
                       {"shape", shapeToJSON(out.spec->shape)},
                       {"dtype", stringifyDType(out.spec->dtype)},
                       {"sum", jsonNumber(out.sum.sum)},
                       {"mean_abs", jsonNumber(out.sum.meanAbs)},
                       {"saved_to", out.savedTo.empty() ? json::Value(nullptr)
                                                        : out.savedTo}});
    json::Object result{{"model", modelPath},
                        {"compile_ms", compileMs},
                        {"seed", static_cast<int64_t>(o.seed.getValue())},
                        {"threads", int64_t(o.threads)},
                        {"inputs", std::move(inputsJSON)},
                        {"outputs", std::move(outputsJSON)}};
    if (bench)
      result["bench"] = json::Object{{"runs", bench->runs},
                                     {"warmup_runs", 1},
                                     {"median_ms", bench->median},
                                     {"min_ms", bench->min},
                                     {"mean_ms", bench->mean}};
    else
      result["bench"] = nullptr;
    printJSON(std::move(result));
    return 0;
  }

  raw_ostream &os = outs();
  os << "model: " << modelPath << " (imported and compiled in "
     << formatMs(compileMs) << " ms)\n";
  for (const InputRecord &in : inputs) {
    os << "input '" << in.spec->name << "': shape "
       << formatShape(in.spec->shape) << ", dtype "
       << stringifyDType(in.spec->dtype) << ", ";
    if (!in.file.empty())
      os << "from " << in.file;
    else if (isFloat(in.spec->dtype))
      os << "random uniform [-1, 1), seed " << o.seed;
    else if (in.spec->dtype == DType::i1)
      os << "random 0/1, seed " << o.seed;
    else
      os << "random uniform [0, 10), seed " << o.seed;
    if (!in.savedTo.empty())
      os << ", saved to " << in.savedTo;
    os << "\n";
  }
  for (const OutputRecord &out : outputs) {
    os << "output '" << out.spec->name << "': shape "
       << formatShape(out.spec->shape) << ", dtype "
       << stringifyDType(out.spec->dtype) << ", sum "
       << formatNumber(out.sum.sum) << ", mean_abs "
       << formatNumber(out.sum.meanAbs);
    if (!out.savedTo.empty())
      os << ", saved to " << out.savedTo;
    os << "\n";
  }
  if (bench)
    os << "latency: median " << formatMs(bench->median) << " ms, min "
       << formatMs(bench->min) << " ms, mean " << formatMs(bench->mean)
       << " ms over " << bench->runs << " runs (after 1 warm-up run, "
       << o.threads << (o.threads == 1 ? " thread)\n" : " threads)\n");
  return 0;
}

} // namespace

Runner declareRun(cl::SubCommand &sub, cl::OptionCategory &category) {
  auto options = std::make_shared<RunOptions>(sub, category);
  return [options](StringRef model) { return runRun(*options, model); };
}

} // namespace lathe::cli
