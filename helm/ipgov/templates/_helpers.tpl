{{/*
Names, labels and the pod parts every ipgov workload shares (api, worker, scheduler, migrate).
Each helper takes the root context.
*/}}

{{- define "ipgov.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "ipgov.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "ipgov.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "ipgov.labels" -}}
helm.sh/chart: {{ include "ipgov.chart" . }}
app.kubernetes.io/name: {{ include "ipgov.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Selector labels of one component: (list $ "api"). */}}
{{- define "ipgov.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ include "ipgov.name" $root }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{- define "ipgov.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "ipgov.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "ipgov.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{- define "ipgov.secretName" -}}
{{- if .Values.secrets.create }}{{ include "ipgov.fullname" . }}{{ else }}{{ required "secrets.existingSecret is required (or secrets.create=true for development)" .Values.secrets.existingSecret }}{{ end }}
{{- end }}

{{/* The non-secret IPGOV_* settings, as a YAML map (ConfigMap data and the migration Job). */}}
{{- define "ipgov.config" -}}
IPGOV_ENVIRONMENT: {{ .Values.config.environment | quote }}
IPGOV_LOG_LEVEL: {{ .Values.config.logLevel | quote }}
IPGOV_DATA_DIR: "/var/lib/ipgov"
IPGOV_HOST: "0.0.0.0"
IPGOV_PORT: {{ .Values.api.port | quote }}
IPGOV_BROKER_NAMESPACE: {{ .Values.config.brokerNamespace | quote }}
IPGOV_GRAPHQL_PATH: {{ .Values.config.graphqlPath | quote }}
IPGOV_GRAPHQL_INTROSPECTION: {{ .Values.config.graphqlIntrospection | quote }}
IPGOV_MAX_PAGE_SIZE: {{ .Values.config.maxPageSize | quote }}
IPGOV_MAX_REQUEST_BYTES: {{ .Values.config.maxRequestBytes | int64 | quote }}
IPGOV_JWT_ISSUER: {{ .Values.config.jwtIssuer | quote }}
IPGOV_JWT_AUDIENCE: {{ .Values.config.jwtAudience | quote }}
IPGOV_JWT_TTL_SECONDS: {{ .Values.config.jwtTtlSeconds | quote }}
IPGOV_OIDC_AUDIENCE: {{ .Values.config.oidcAudience | quote }}
IPGOV_OTLP_ENDPOINT: {{ .Values.config.otlpEndpoint | quote }}
IPGOV_TRACE_SAMPLE_RATIO: {{ .Values.config.traceSampleRatio | quote }}
IPGOV_ENABLED_PLUGINS: {{ .Values.config.enabledPlugins | quote }}
IPGOV_POLICY_POLL_SECONDS: {{ .Values.config.policyPollSeconds | quote }}
IPGOV_REVIEW_LEASE_SECONDS: {{ .Values.config.reviewLeaseSeconds | quote }}
IPGOV_REVIEW_REQUEUE_SECONDS: {{ .Values.config.reviewRequeueSeconds | quote }}
{{- range $name, $value := .Values.config.extraEnv }}
{{ $name }}: {{ $value | quote }}
{{- end }}
{{- end }}

{{/* One env entry read from the ipgov Secret: (list $ "ENV_NAME" "keyName" optional). */}}
{{- define "ipgov.secretEnv" -}}
{{- $root := index . 0 -}}
- name: {{ index . 1 }}
  valueFrom:
    secretKeyRef:
      name: {{ include "ipgov.secretName" $root }}
      key: {{ index . 2 }}
      optional: {{ index . 3 }}
{{- end }}

{{/* The secret settings every long-running pod reads (not the owner database URL). */}}
{{- define "ipgov.secretEnvs" -}}
{{ include "ipgov.secretEnv" (list . "IPGOV_APP_DATABASE_URL" .Values.secrets.keys.appDatabaseUrl false) }}
{{ include "ipgov.secretEnv" (list . "IPGOV_SYSTEM_DATABASE_URL" .Values.secrets.keys.systemDatabaseUrl false) }}
{{ include "ipgov.secretEnv" (list . "IPGOV_BROKER_URL" .Values.secrets.keys.brokerUrl false) }}
{{ include "ipgov.secretEnv" (list . "IPGOV_AUDIT_KEY" .Values.secrets.keys.auditKey false) }}
{{ include "ipgov.secretEnv" (list . "IPGOV_OIDC_ISSUER" .Values.secrets.keys.oidcIssuer true) }}
{{ include "ipgov.secretEnv" (list . "IPGOV_OIDC_JWKS_URL" .Values.secrets.keys.oidcJwksUrl true) }}
{{ include "ipgov.secretEnv" (list . "IPGOV_RATE_LIMIT_STORAGE" .Values.secrets.keys.rateLimitStorage true) }}
{{- end }}

{{/* Pod-level fields shared by every workload. */}}
{{- define "ipgov.podSpec" -}}
serviceAccountName: {{ include "ipgov.serviceAccountName" . }}
automountServiceAccountToken: false
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
volumes:
  - name: data
    {{- if .Values.dataVolume.existingClaim }}
    persistentVolumeClaim:
      claimName: {{ .Values.dataVolume.existingClaim }}
    {{- else }}
    emptyDir:
      sizeLimit: {{ .Values.dataVolume.sizeLimit }}
    {{- end }}
  - name: tmp
    emptyDir:
      medium: Memory
      sizeLimit: 64Mi
  # $IPGOV_DATA_DIR/keys: the keys every replica must share, read-only from the Secret.
  - name: keys
    secret:
      secretName: {{ include "ipgov.secretName" . }}
      defaultMode: 0400
      items:
        - key: {{ .Values.secrets.keys.jwtSigningKey }}
          path: jwt-ed25519.pem
        - key: {{ .Values.secrets.keys.searchCursorKey }}
          path: search-cursor.key
{{- end }}

{{/* Container fields shared by every workload: image, security, volumes, configuration. */}}
{{- define "ipgov.container" -}}
image: {{ include "ipgov.image" . }}
imagePullPolicy: {{ .Values.image.pullPolicy }}
securityContext:
  {{- toYaml .Values.securityContext | nindent 2 }}
envFrom:
  - configMapRef:
      name: {{ include "ipgov.fullname" . }}
env:
  {{- include "ipgov.secretEnvs" . | nindent 2 }}
volumeMounts:
  {{- include "ipgov.volumeMounts" . | nindent 2 }}
{{- end }}

{{/* Where the pod's volumes appear: IPGOV_DATA_DIR, its keys/ and /tmp. */}}
{{- define "ipgov.volumeMounts" -}}
- name: data
  mountPath: /var/lib/ipgov
- name: tmp
  mountPath: /tmp
- name: keys
  mountPath: /var/lib/ipgov/keys
  readOnly: true
{{- end }}

{{/* Placement of one component: (list $ .Values.api). */}}
{{- define "ipgov.placement" -}}
{{- $component := index . 1 }}
{{- with $component.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $component.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $component.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
