// auth: in tally.yaml (docs/security.md): the OIDC identity provider and how its claims map to
// roles and owner subtrees. API tokens need no configuration (`tally tokens create`).
#include "config/finance_config.h"
#include "config/yaml_values.h"

namespace tally {

using namespace config_yaml;

Status ParseAuthSection(const YAML::Node& node, OidcConfig* out) {
  TALLY_RETURN_IF_ERROR(CheckKeys(node, "auth", {"oidc"}));
  const YAML::Node o = node["oidc"];
  if (!o) return Status::Ok();
  TALLY_RETURN_IF_ERROR(
      CheckKeys(o, "auth.oidc", {"issuer", "audience", "jwks", "claim", "name_claim", "roles"}));
  for (const char* key : {"issuer", "audience", "jwks"}) {
    if (!o[key]) return InvalidArgument(At(o, "auth.oidc") + ": missing " + key);
  }
  TALLY_ASSIGN_OR_RETURN(out->issuer, TextAt(o["issuer"], "auth.oidc.issuer"));
  TALLY_ASSIGN_OR_RETURN(out->audience, TextAt(o["audience"], "auth.oidc.audience"));
  TALLY_ASSIGN_OR_RETURN(out->jwks, TextAt(o["jwks"], "auth.oidc.jwks"));
  if (out->jwks.starts_with("http://")) {
    return InvalidArgument(At(o["jwks"], "auth.oidc.jwks") +
                           ": keys are fetched over https only (or name a file)");
  }
  if (o["claim"]) {
    TALLY_ASSIGN_OR_RETURN(out->claim, TextAt(o["claim"], "auth.oidc.claim"));
  }
  if (o["name_claim"]) {
    TALLY_ASSIGN_OR_RETURN(out->name_claim, TextAt(o["name_claim"], "auth.oidc.name_claim"));
  }
  const YAML::Node roles = o["roles"];
  if (!roles || !roles.IsSequence() || roles.size() == 0) {
    return InvalidArgument(At(o, "auth.oidc.roles") +
                           ": a list of {value, role, owners} is needed: without it nobody "
                           "could sign in");
  }
  for (size_t i = 0; i < roles.size(); ++i) {
    const std::string where = "auth.oidc.roles[" + std::to_string(i) + "]";
    const YAML::Node r = roles[i];
    TALLY_RETURN_IF_ERROR(CheckKeys(r, where, {"value", "role", "owners"}));
    OidcRoleMapping m;
    TALLY_ASSIGN_OR_RETURN(m.value, TextAt(r["value"], where + ".value"));
    TALLY_ASSIGN_OR_RETURN(m.role, TextAt(r["role"], where + ".role"));
    if (m.role != "viewer" && m.role != "operator" && m.role != "admin") {
      return InvalidArgument(At(r["role"], where + ".role") + ": viewer, operator or admin");
    }
    if (const YAML::Node owners = r["owners"]) {
      if (!owners.IsSequence()) return InvalidArgument(At(owners, where + ".owners") + ": a list");
      for (size_t j = 0; j < owners.size(); ++j) {
        TALLY_ASSIGN_OR_RETURN(std::string owner,
                               TextAt(owners[j], where + ".owners[" + std::to_string(j) + "]"));
        m.owners.push_back(std::move(owner));
      }
    }
    out->roles.push_back(std::move(m));
  }
  return Status::Ok();
}

}  // namespace tally
