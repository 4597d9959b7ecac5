"""The GB/T 29490-2023 certification pack: clause outline, clause-to-evidence mapping,
internal-audit checklist, management-review records and the evidence export."""
