#include "ingest/billing/service_categories.h"

#include <span>

#include "common/strings.h"

namespace tally {
namespace {

struct Entry {
  std::string_view service;
  std::string_view category;
};

// AWS product codes by FOCUS 1.2 ServiceCategory. Taxes and credits carry the product code of
// the service they belong to, so they land in its category.
constexpr Entry kAws[] = {
    {"AmazonEC2", "Compute"}, {"AWSLambda", "Compute"}, {"AmazonECS", "Compute"},
    {"AmazonEKS", "Compute"}, {"AmazonECR", "Compute"}, {"AmazonECRPublic", "Compute"},
    {"AmazonLightsail", "Compute"}, {"AWSBatch", "Compute"}, {"AWSOutposts", "Compute"},
    {"AmazonWorkSpaces", "Compute"}, {"AmazonAppStream", "Compute"}, {"AWSAppRunner", "Compute"},
    {"AmazonS3", "Storage"}, {"AmazonEFS", "Storage"}, {"AmazonFSx", "Storage"},
    {"AmazonGlacier", "Storage"}, {"AWSBackup", "Storage"}, {"AWSStorageGateway", "Storage"},
    {"AmazonS3GlacierDeepArchive", "Storage"}, {"AWSSnowball", "Storage"},
    {"AmazonRDS", "Databases"}, {"AmazonDynamoDB", "Databases"}, {"AmazonElastiCache", "Databases"},
    {"AmazonRedshift", "Databases"}, {"AmazonDocDB", "Databases"}, {"AmazonNeptune", "Databases"},
    {"AmazonMemoryDB", "Databases"}, {"AmazonTimestream", "Databases"}, {"AmazonMCS", "Databases"},
    {"AmazonQLDB", "Databases"}, {"AmazonKeyspaces", "Databases"},
    {"AmazonVPC", "Networking"}, {"AWSDataTransfer", "Networking"}, {"AmazonCloudFront", "Networking"},
    {"AmazonRoute53", "Networking"}, {"AWSELB", "Networking"}, {"AWSDirectConnect", "Networking"},
    {"AWSGlobalAccelerator", "Networking"}, {"AWSNetworkFirewall", "Networking"},
    {"AWSCloudMap", "Networking"}, {"AWSAppMesh", "Networking"}, {"AWSPrivateLink", "Networking"},
    {"AmazonAthena", "Analytics"}, {"AWSGlue", "Analytics"}, {"AmazonKinesis", "Analytics"},
    {"AmazonKinesisFirehose", "Analytics"}, {"AmazonKinesisAnalytics", "Analytics"},
    {"AmazonES", "Analytics"}, {"AmazonOpenSearchService", "Analytics"},
    {"ElasticMapReduce", "Analytics"}, {"AmazonQuickSight", "Analytics"},
    {"AWSLakeFormation", "Analytics"}, {"AmazonMSK", "Analytics"}, {"AWSDataExchange", "Analytics"},
    {"AWSCleanRooms", "Analytics"}, {"AmazonDataZone", "Analytics"},
    {"AmazonSageMaker", "AI and Machine Learning"}, {"AmazonBedrock", "AI and Machine Learning"},
    {"AmazonRekognition", "AI and Machine Learning"}, {"comprehend", "AI and Machine Learning"},
    {"AmazonComprehend", "AI and Machine Learning"}, {"transcribe", "AI and Machine Learning"},
    {"translate", "AI and Machine Learning"}, {"AmazonPolly", "AI and Machine Learning"},
    {"AmazonLex", "AI and Machine Learning"}, {"AmazonTextract", "AI and Machine Learning"},
    {"AmazonPersonalize", "AI and Machine Learning"}, {"AmazonForecast", "AI and Machine Learning"},
    {"AmazonKendra", "AI and Machine Learning"}, {"AmazonQ", "AI and Machine Learning"},
    {"AmazonCloudWatch", "Management and Governance"}, {"AWSCloudTrail", "Management and Governance"},
    {"AWSConfig", "Management and Governance"}, {"AWSSystemsManager", "Management and Governance"},
    {"AWSCostExplorer", "Management and Governance"}, {"AWSCloudFormation", "Management and Governance"},
    {"AWSServiceCatalog", "Management and Governance"}, {"AWSOrganizations", "Management and Governance"},
    {"AWSBudgets", "Management and Governance"}, {"AWSSupportBusiness", "Management and Governance"},
    {"AWSSupportEnterprise", "Management and Governance"},
    {"AWSDeveloperSupport", "Management and Governance"}, {"OCBPremiumSupport", "Management and Governance"},
    {"AWSXRay", "Management and Governance"}, {"AmazonManagedGrafana", "Management and Governance"},
    {"AmazonPrometheus", "Management and Governance"}, {"AWSResilienceHub", "Management and Governance"},
    {"awskms", "Security"}, {"AWSSecretsManager", "Security"}, {"AWSSecurityHub", "Security"},
    {"AmazonGuardDuty", "Security"}, {"AmazonInspector", "Security"}, {"AmazonInspectorV2", "Security"},
    {"AWSShield", "Security"}, {"awswaf", "Security"}, {"AWSCertificateManager", "Security"},
    {"AmazonMacie", "Security"}, {"AmazonDetective", "Security"}, {"AWSCloudHSM", "Security"},
    {"AWSDirectoryService", "Identity"}, {"AmazonCognito", "Identity"},
    {"AmazonSNS", "Integration"}, {"AWSQueueService", "Integration"}, {"AmazonMQ", "Integration"},
    {"AWSEvents", "Integration"}, {"AmazonStates", "Integration"}, {"AmazonApiGateway", "Integration"},
    {"AmazonSWF", "Integration"}, {"AWSAppSync", "Integration"}, {"AmazonMWAA", "Integration"},
    {"AWSCodeCommit", "Developer Tools"}, {"CodeBuild", "Developer Tools"},
    {"AWSCodeBuild", "Developer Tools"}, {"AWSCodePipeline", "Developer Tools"},
    {"AWSCodeArtifact", "Developer Tools"}, {"AWSCodeDeploy", "Developer Tools"},
    {"AWSCloud9", "Developer Tools"}, {"AWSDeviceFarm", "Developer Tools"},
    {"AWSIoT", "Internet of Things"}, {"AWSGreengrass", "Internet of Things"},
    {"AWSIoTAnalytics", "Internet of Things"}, {"AWSIoTEvents", "Internet of Things"},
    {"AWSIoTSiteWise", "Internet of Things"},
    {"AmazonIVS", "Media"}, {"AWSElementalMediaConvert", "Media"}, {"AWSElementalMediaLive", "Media"},
    {"AWSElementalMediaPackage", "Media"}, {"AmazonKinesisVideo", "Media"},
    {"AWSDatabaseMigrationSvc", "Migration"}, {"AWSMigrationHubRefactorSpaces", "Migration"},
    {"AWSApplicationMigrationSvc", "Migration"}, {"AWSDataSync", "Migration"},
    {"AWSTransfer", "Migration"},
    {"AmazonConnect", "Business Applications"}, {"AmazonChime", "Business Applications"},
    {"AmazonSES", "Business Applications"}, {"AmazonWorkMail", "Business Applications"},
    {"AmazonWorkDocs", "Business Applications"}, {"AmazonPinpoint", "Business Applications"},
    {"AWSAmplify", "Web"}, {"AWSElasticBeanstalk", "Web"},
};

std::string_view Lookup(std::span<const Entry> table, std::string_view service) {
  for (const Entry& e : table) {
    if (EqualsIgnoreCase(e.service, service)) return e.category;
  }
  return "Other";
}

}  // namespace

std::string_view AwsServiceCategory(std::string_view product_code) {
  return Lookup(kAws, product_code);
}

}  // namespace tally
