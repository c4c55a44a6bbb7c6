/**
 * The plugin that owns one HubcastClient for a Vue app: `app.use(createHubcast(...))` provides
 * it to every composable and live store of the app, connects it, and disconnects it when the
 * app unmounts (if it created the client).
 */
import { HubcastClient, type ClientOptions } from '@hubcast/client';
import { HubcastError } from '@hubcast/protocol';
import { getCurrentInstance, inject, type App, type InjectionKey } from 'vue';

/** Where the app's client is provided. */
export const HUBCAST_CLIENT: InjectionKey<HubcastClient> = Symbol('hubcast client');

export type CreateHubcastOptions =
  | {
      /** A client the app made; the plugin neither connects nor disconnects it. */
      client: HubcastClient;
    }
  | (ClientOptions & {
      /** Connect on install (default true). */
      connect?: boolean;
    });

/** The plugin, with the client it owns. */
export interface HubcastPlugin {
  readonly client: HubcastClient;
  install(app: App): void;
}

/** Makes the plugin: from an existing client, or from client options (then it owns it). */
export function createHubcast(options: CreateHubcastOptions): HubcastPlugin {
  // `ClientOptions.client` is the client's self-description: only an instance means "use this".
  const given = options.client instanceof HubcastClient ? options.client : undefined;
  const client = given ?? new HubcastClient(options as ClientOptions);
  const isOwned = given === undefined;
  const shouldConnect = isOwned && (options as { connect?: boolean }).connect !== false;
  return {
    client,
    install(app) {
      app.provide(HUBCAST_CLIENT, client);
      if (shouldConnect) void client.connect();
      if (isOwned) app.onUnmount(() => client.disconnect());
    },
  };
}

/** The app's client (inside `setup`, a setup store, or `app.runWithContext`). */
export function useHubcast(): HubcastClient {
  const client = inject(HUBCAST_CLIENT, undefined);
  if (client !== undefined) return client;
  const where = getCurrentInstance() === null ? 'outside a component' : 'in this app';
  throw new HubcastError(
    'bad_request',
    `no hubcast client ${where}: install createHubcast() with app.use first`,
  );
}
