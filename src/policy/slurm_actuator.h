// The Slurm actuator, through Slurm's own commands (no shell; bounded in time):
//   suspend a job     `scontrol hold JOBID` while it is pending, `scontrol suspend JOBID` once
//                     it runs (its state read first with `scontrol show job`)
//   throttle account  `sacctmgr -i modify account where name=ACCOUNT set GrpTRES=cpu=N,...`
//                     (slurmdbd must run), then read back with `sacctmgr show association`
// Before and after are the job's state or the account's GrpTRES.
//
// Thread-safe.
#pragma once

#include <string>

#include "policy/actuator.h"

namespace tally {

class SlurmActuator final : public Actuator {
 public:
  // `slurm_conf`: SLURM_CONF for the commands ("" = their default).
  explicit SlurmActuator(std::string slurm_conf) : slurm_conf_(std::move(slurm_conf)) {}
  Result<ActionOutcome> Apply(const PlannedAction& action) override;

  // A job's JobState (PENDING, RUNNING, SUSPENDED, ...) and whether it is held.
  Result<std::string> JobState(const std::string& job_id);
  // An account's GrpTRES as sacctmgr shows it ("cpu=4,gres/gpu=1"; "" for none).
  Result<std::string> AccountLimits(const std::string& account);

 private:
  Result<std::string> Run(std::vector<std::string> argv);
  std::string slurm_conf_;
};

}  // namespace tally
