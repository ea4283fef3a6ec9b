// tally: the single binary. Everything lives in the libraries; see src/cli.
#include "cli/cli.h"

int main(int argc, char** argv) { return tally::cli::RunCli(argc, argv); }
