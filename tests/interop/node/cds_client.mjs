// @medplum/core as an EHR's CDS client: discovery, then order-sign built with Medplum's own
// buildCdsRequest (prefetch read from the EHR's FHIR server at baseUrl) and callCdsService.
// Reads {baseUrl, fhirUrl, accessToken, patientId, draftOrders} as JSON on stdin;
// prints {services, cards} or {services, error} as JSON on stdout.
import { readFileSync } from 'node:fs';
import { MedplumClient, buildCdsRequest } from '@medplum/core';

const given = JSON.parse(readFileSync(0, 'utf8'));
// Medplum sends its bearer token only to its own origin: the CDS service is at baseUrl, the
// EHR's FHIR server (for prefetch) elsewhere.
const medplum = new MedplumClient({ baseUrl: given.baseUrl, fhirUrlPath: given.fhirUrl });
medplum.setAccessToken(given.accessToken);
const discovery = await medplum.getCdsServices();
const service = discovery.services.find((s) => s.hook === 'order-sign');
const user = { resourceType: 'Practitioner', id: 'dr-lee' };
const request = await buildCdsRequest(medplum, user, service, {
  userId: 'Practitioner/dr-lee',
  patientId: given.patientId,
  draftOrders: given.draftOrders,
});
const out = { services: discovery.services.map((s) => s.id), prefetchKeys: Object.keys(request.prefetch) };
try {
  const answer = await medplum.callCdsService(service.id, request);
  out.cards = answer.cards;
} catch (err) {
  out.error = { message: String(err?.message ?? err), outcome: err?.outcome ?? null };
}
process.stdout.write(JSON.stringify(out));
