/**
 * The Events engine's options a template's Events API gives (namespaces with their auth modes,
 * the connection's auth modes, the handlers); nothing for a template without one, so `/event`
 * keeps serving the `events` option's namespaces.
 */
import type { EventsEngineOptions } from '../events-engine.js';
import { eventsNamespaces, type TemplateEventsHandlers } from './events-app.js';
import type { AppModel } from './model.js';

export function templateEventsOptions(model: AppModel, handlers: TemplateEventsHandlers): Pick<EventsEngineOptions, 'namespaces' | 'connectionAuthModes' | 'handlers'> {
  if (model.events === undefined) return {};
  return { namespaces: eventsNamespaces(model.events), connectionAuthModes: model.events.connectionAuthModes, handlers };
}
