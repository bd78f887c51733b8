// fhir-kit-client reads isotrack's FHIR endpoint as an EHR would: the CapabilityStatement,
// one patient's $everything, a patient it may not see, and $rems-etasu.
// argv: base URL, bearer token, patient id. Prints the results as JSON on stdout.
import { Client } from 'fhir-kit-client';

const [baseUrl, token, patientId] = process.argv.slice(2);
const client = new Client({ baseUrl, bearerToken: token });
const failure = (err) => ({
  status: err?.response?.status,
  resourceType: err?.response?.data?.resourceType,
});
const out = {};
try {
  const statement = await client.capabilityStatement();
  out.capability = { resourceType: statement.resourceType, fhirVersion: statement.fhirVersion };
  const bundle = await client.operation({
    name: '$everything', resourceType: 'Patient', id: patientId, method: 'GET',
  });
  out.everything = {
    type: bundle.type, patient: bundle.entry?.[0]?.resource?.id, entries: bundle.entry?.length ?? 0,
  };
  try {
    await client.operation({ name: '$everything', resourceType: 'Patient', id: 'nobody', method: 'GET' });
    out.missing = 'found';
  } catch (err) {
    out.missing = failure(err);
  }
  const answer = await client.operation({
    name: '$rems-etasu', resourceType: 'GuidanceResponse',
    input: {
      resourceType: 'Parameters',
      parameter: [
        { name: 'patient', resource: { resourceType: 'Patient', id: patientId } },
        { name: 'medication', resource: { resourceType: 'Medication', code: { coding: [
          { system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '6064' }] } } },
      ],
    },
  });
  out.etasu = answer.parameter?.[0]?.resource?.status;
} catch (err) {
  out.error = `${err?.message ?? err} ${JSON.stringify(failure(err))}`;
}
process.stdout.write(JSON.stringify(out));
