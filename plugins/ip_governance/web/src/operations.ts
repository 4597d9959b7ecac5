/** Every GraphQL operation of the screens, typed against schema.graphql by the web codegen. */
import { graphql } from "../../../../web/src/gql";

export const AssetsDocument = graphql(`
  query IpgAssets($tenantId: ID!, $kind: String, $status: String, $jurisdiction: String, $first: Int!, $after: String) {
    ipAssets(tenantId: $tenantId, kind: $kind, status: $status, jurisdiction: $jurisdiction, first: $first, after: $after) {
      nodes { id kind title jurisdiction familyId applicationNumber publicationNumber registrationNumber
        kindCode status assignee owner inventors cpcCodes valueTier priorityDate filingDate
        publicationDate grantDate expiryDate source }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const CreateAssetDocument = graphql(`
  mutation IpgCreateAsset($tenantId: ID!, $input: IpAssetInput!) {
    createIpAsset(tenantId: $tenantId, input: $input) { asset { id title } errors { code message field } }
  }
`);

export const UpdateAssetDocument = graphql(`
  mutation IpgUpdateAsset($tenantId: ID!, $id: ID!, $input: IpAssetInput!) {
    updateIpAsset(tenantId: $tenantId, id: $id, input: $input) { asset { id title } errors { code message field } }
  }
`);

export const DeleteAssetDocument = graphql(`
  mutation IpgDeleteAsset($tenantId: ID!, $id: ID!) {
    deleteIpAsset(tenantId: $tenantId, id: $id) { deletedId errors { code message field } }
  }
`);

export const ImportAssetsDocument = graphql(`
  mutation IpgImportAssets($tenantId: ID!, $csv: String!, $atomic: Boolean!) {
    importIpAssets(tenantId: $tenantId, csv: $csv, atomic: $atomic) {
      created updated
      rowErrors { row column code message }
      errors { code message field }
    }
  }
`);

export const DeadlinesDocument = graphql(`
  query IpgDeadlines($tenantId: ID!, $status: String, $dueBefore: Date, $first: Int!, $after: String) {
    ipAssetDeadlines(tenantId: $tenantId, status: $status, dueBefore: $dueBefore, first: $first, after: $after) {
      nodes { id assetId kind dueOn status description origin ruleId graceUntil feeAmount feeCurrency explanationEn explanationZh }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const ForecastDocument = graphql(`
  query IpgDocketForecast($tenantId: ID!, $years: Int!, $reportingCurrency: String!) {
    docketForecast(tenantId: $tenantId, years: $years, reportingCurrency: $reportingCurrency, by: "tenant") {
      reportingCurrency missingRates csv truncated
      rows { key name year currency amount reportingAmount uncheckedAmount }
    }
  }
`);

export const AddDeadlineDocument = graphql(`
  mutation IpgAddDeadline($tenantId: ID!, $assetId: ID!, $kind: String!, $dueOn: Date, $description: String!) {
    addIpAssetDeadline(tenantId: $tenantId, assetId: $assetId, kind: $kind, dueOn: $dueOn, description: $description) {
      deadline { id } errors { code message field }
    }
  }
`);

export const SetDeadlineStatusDocument = graphql(`
  mutation IpgSetDeadlineStatus($tenantId: ID!, $id: ID!, $status: String!) {
    setIpAssetDeadlineStatus(tenantId: $tenantId, id: $id, status: $status) { deadline { id status } errors { code message field } }
  }
`);

export const RisksDocument = graphql(`
  query IpgRisks($tenantId: ID!, $first: Int!, $after: String) {
    ipRisks(tenantId: $tenantId, first: $first, after: $after) {
      nodes { id title description category likelihood impact score owner treatment treatmentPlan status
        acceptedBy acceptedAt acceptanceExpiresOn assetId updatedAt }
      pageInfo { hasNextPage endCursor }
    }
    ipRiskAppetite(tenantId: $tenantId) {
      statement governedBy maySet mayOnlyTighten
      tolerances { category threshold sourceTenantId ownThreshold }
    }
  }
`);

export const CreateRiskDocument = graphql(`
  mutation IpgCreateRisk($tenantId: ID!, $input: IpRiskInput!) {
    createIpRisk(tenantId: $tenantId, input: $input) { risk { id } errors { code message field } }
  }
`);

export const UpdateRiskDocument = graphql(`
  mutation IpgUpdateRisk($tenantId: ID!, $id: ID!, $input: IpRiskInput!) {
    updateIpRisk(tenantId: $tenantId, id: $id, input: $input) { risk { id } errors { code message field } }
  }
`);

export const AcceptRiskDocument = graphql(`
  mutation IpgAcceptRisk($tenantId: ID!, $id: ID!, $approver: String!, $expiresOn: Date) {
    acceptIpRisk(tenantId: $tenantId, id: $id, approver: $approver, expiresOn: $expiresOn) { risk { id } errors { code message field } }
  }
`);

export const ProfileDocument = graphql(`
  query IpgProfile($tenantId: ID!) {
    framework(tenantId: $tenantId) {
      id version title { en zh }
      functions { id function title { en zh } categories { id outcomes { id } } }
    }
    current: profile(tenantId: $tenantId, kind: CURRENT) { assessedAt entries { outcomeId tier } }
    target: profile(tenantId: $tenantId, kind: TARGET) { assessedAt entries { outcomeId tier } }
  }
`);

export const GapsDocument = graphql(`
  query IpgGaps($tenantId: ID!, $first: Int!, $after: String) {
    gapAnalysis(tenantId: $tenantId, first: $first, after: $after) {
      nodes { outcomeId functionId categoryId title { en zh } domain current target gap weight priority }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const ChecklistDocument = graphql(`
  query IpgChecklist($tenantId: ID!, $locale: String) {
    certificationChecklist(tenantId: $tenantId, locale: $locale) {
      standard generatedAt present stale missing
      clauses { clause title status reason evidence { kind label status reason count newestAt } }
    }
  }
`);

export const LicencesDocument = graphql(`
  query IpgLicences($tenantId: ID!, $direction: String, $first: Int!, $after: String) {
    ipLicences(tenantId: $tenantId, direction: $direction, first: $first, after: $after) {
      nodes { id direction counterparty assetIds scope territory exclusive royaltyBearing royaltyTerms startsOn endsOn status }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const RoyaltiesDocument = graphql(`
  query IpgRoyalties($tenantId: ID!, $licenceId: ID!, $first: Int!, $after: String) {
    ipRoyaltyPayments(tenantId: $tenantId, licenceId: $licenceId, first: $first, after: $after) {
      nodes { id paidOn amount currency reference }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const RecordRoyaltyDocument = graphql(`
  mutation IpgRecordRoyalty($tenantId: ID!, $licenceId: ID!, $currency: String!, $paidOn: Date, $amount: Decimal, $reference: String!) {
    recordIpRoyaltyPayment(tenantId: $tenantId, licenceId: $licenceId, currency: $currency, paidOn: $paidOn, amount: $amount, reference: $reference) {
      payment { id } errors { code message field }
    }
  }
`);

export const IncidentsDocument = graphql(`
  query IpgIncidents($tenantId: ID!, $status: String, $first: Int!, $after: String) {
    ipIncidents(tenantId: $tenantId, status: $status, first: $first, after: $after) {
      nodes { id kind title description detectedOn severity status assetIds closedAt
        responses { id action description responder takenOn }
        recoveryPlan { id summary status steps { title status dueOn } } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const ReportIncidentDocument = graphql(`
  mutation IpgReportIncident($tenantId: ID!, $input: IpIncidentInput!) {
    reportIpIncident(tenantId: $tenantId, input: $input) { incident { id } errors { code message field } }
  }
`);

export const RecordResponseDocument = graphql(`
  mutation IpgRecordResponse($tenantId: ID!, $incidentId: ID!, $action: String!, $takenOn: Date, $description: String!, $responder: String!) {
    recordIpIncidentResponse(tenantId: $tenantId, incidentId: $incidentId, action: $action, takenOn: $takenOn, description: $description, responder: $responder) {
      incident { id } errors { code message field }
    }
  }
`);

export const CloseIncidentDocument = graphql(`
  mutation IpgCloseIncident($tenantId: ID!, $id: ID!) {
    closeIpIncident(tenantId: $tenantId, id: $id) { incident { id status } errors { code message field } }
  }
`);

export const StrategyDocument = graphql(`
  query IpgStrategy($tenantId: ID!) {
    ipStrategies(tenantId: $tenantId, first: 20) {
      nodes { id title summary status reassessmentCadenceDays lastReassessedAt approvedAt }
    }
    strategyObjectives(tenantId: $tenantId, first: 100) {
      nodes { id strategyId title businessGoal kpi kpiUnit targetValue higherIsBetter owner }
    }
    kpiMeasurements(tenantId: $tenantId, first: 100) { nodes { id objectiveId measuredAt value note } }
    swotEntries(tenantId: $tenantId, first: 100) { nodes { id strategyId category text } }
  }
`);

export const PdcaDocument = graphql(`
  query IpgPdca($tenantId: ID!) {
    managementSystems(tenantId: $tenantId, first: 20) { nodes { id kind name owner cadenceDays lastCompletedCycleAt } }
    pdcaCycles(tenantId: $tenantId, first: 100) {
      nodes { id systemId title startedAt complete phases { phase completedAt evidence } }
    }
  }
`);

export const DocumentsDocument = graphql(`
  query IpgDocuments($tenantId: ID!, $first: Int!, $after: String) {
    controlledDocuments(tenantId: $tenantId, first: $first, after: $after) {
      nodes { id tenantId code title kind imposed supplementsId inherited }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const DocumentVersionsDocument = graphql(`
  query IpgDocumentVersions($tenantId: ID!, $documentId: ID!) {
    documentVersions(tenantId: $tenantId, documentId: $documentId) {
      id number label status author approvalMode approvers quorum effectiveOn reviewDueOn
      distribution acknowledgements decisions { approver decision decidedAt }
    }
  }
`);

export const DecideDocumentDocument = graphql(`
  mutation IpgDecideDocument($tenantId: ID!, $versionId: ID!, $approve: Boolean!) {
    decideDocumentVersion(tenantId: $tenantId, versionId: $versionId, approve: $approve) {
      version { id status } errors { code message field }
    }
  }
`);

export const AcknowledgeDocumentDocument = graphql(`
  mutation IpgAcknowledgeDocument($tenantId: ID!, $versionId: ID!) {
    acknowledgeDocument(tenantId: $tenantId, versionId: $versionId) { versionId errors { code message field } }
  }
`);
