//===- Driver.cpp - The lathe command line ---------------------------------===//
//
// Part of Lathe.
//
//===----------------------------------------------------------------------===//
//
// This file implements the `lathe` command's table of subcommands and its
// argument parsing. Each subcommand lives in its own file (Compile.cpp, ...)
// with its options and --help; a subcommand whose capability has not been
// built yet says so and fails, rather than pretending to work.
//
//===----------------------------------------------------------------------===//

#include "tools/lathe/Driver.h"
#include "tools/lathe/Commands.h"

#include "llvm/Config/llvm-config.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/TargetParser/Host.h"

#include "tools/lathe/LatheVersion.inc"

using namespace llvm;

namespace lathe::cli {

std::string versionString() {
  std::string s;
  raw_string_ostream os(s);
  os << "lathe " << LATHE_GIT_DESCRIBE << "\n"
     << "  built with MLIR/LLVM " << LLVM_VERSION_STRING << "\n"
     << "  host: " << sys::getDefaultTargetTriple() << ", CPU "
     << sys::getHostCPUName() << "\n";
  return s;
}

namespace {
/// The subcommand table. Each subcommand's options are declared by its
/// `declare` function (Compile.cpp, ...), beside the code that uses them.
const Command kCommands[] = {
    {"compile",
     "Compile an ONNX model to a shared library and C header, an object "
     "file or IR",
     nullptr, nullptr, declareCompile},
    {"run", "Run an ONNX model on given or random inputs and print outputs",
     nullptr, nullptr, declareRun},
    {"tune",
     "Search for faster kernel schedules and record them in the tuning "
     "database",
     nullptr, nullptr, declareTune},
    {"bench",
     "Time a model and each of its kernels against the machine's FMA peak",
     nullptr, nullptr, declareBench},
    {"inspect", "Show a model's ops, shapes, parameter count and FLOPs",
     nullptr, nullptr, declareInspect},
    {"db",
     "Import, export and show the records of the tuning database, and train "
     "the cost model on them (lathe db import|export|show|train)",
     nullptr, nullptr, declareDB, "<import|export|show|train>"},
};
} // namespace

int runLathe(int argc, char **argv) {
  cl::OptionCategory latheCategory("lathe options");

  // Subcommands, in the order of kCommands; the description of one that is
  // not built yet says so in `lathe --help`.
  SmallVector<std::string> descriptions;
  SmallVector<std::unique_ptr<cl::SubCommand>> subcommands;
  for (const Command &c : kCommands)
    descriptions.push_back(
        std::string(c.description) +
        (!c.unavailable ? ""
         : c.works      ? std::string(" [not built yet; ") + c.works + "]"
                        : std::string(" [not built yet]")));
  for (auto [c, description] : llvm::zip_equal(kCommands, descriptions))
    subcommands.push_back(
        std::make_unique<cl::SubCommand>(c.name, description));

  // Every subcommand takes the model it works on (`lathe db`: the action)
  // as its first positional argument, declared before the subcommand's own
  // options so that its positionals come after it.
  SmallVector<std::unique_ptr<cl::opt<std::string>>> models;
  for (auto [c, sub] : llvm::zip_equal(kCommands, subcommands))
    models.push_back(std::make_unique<cl::opt<std::string>>(
        cl::Positional, cl::desc(c.operand ? c.operand : "<model.onnx>"),
        cl::sub(*sub), cl::cat(latheCategory)));

  // Each built subcommand declares its own options.
  SmallVector<Runner> runners;
  for (auto [c, sub] : llvm::zip_equal(kCommands, subcommands))
    runners.push_back(c.declare ? c.declare(*sub, latheCategory) : Runner());

  cl::SetVersionPrinter([](raw_ostream &os) { os << versionString(); });
  cl::HideUnrelatedOptions(latheCategory);
  if (!cl::ParseCommandLineOptions(
          argc, argv,
          "lathe: compile, tune, run and benchmark ONNX models on CPU and "
          "GPU\n\n"
          "Run 'lathe <subcommand> --help' for the options of a subcommand.\n",
          &errs()))
    return 1;

  for (auto [command, sub, runner, model] :
       llvm::zip_equal(kCommands, subcommands, runners, models)) {
    if (!*sub)
      continue;
    if (runner)
      return runner(model->getValue());
    if (command.unavailable) {
      errs() << "lathe " << command.name << ": " << command.unavailable
             << " in this version of Lathe\n";
      return 1;
    }
  }

  // No subcommand given.
  errs() << "lathe: expected a subcommand: compile, run, tune, bench, "
            "inspect or db (see 'lathe --help')\n";
  return 1;
}

} // namespace lathe::cli
