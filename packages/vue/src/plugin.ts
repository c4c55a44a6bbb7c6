/**
 * The plugin that gives a Vue app one connection: `app.use(createHubcast(...))` provides it to
 * every composable and live store of the app. Given options, it makes a `HubcastClient`,
 * connects it, and disconnects it when the app unmounts; given a connection (a client, or
 * `connectShared`'s shared one), it leaves connecting and closing it to the app.
 */
import { HubcastClient, type ClientOptions, type HubcastConnection } from '@hubcast/client';
import { HubcastError } from '@hubcast/protocol';
import { getCurrentInstance, inject, type App, type InjectionKey } from 'vue';

/** Where the app's connection is provided. */
export const HUBCAST_CLIENT: InjectionKey<HubcastConnection> = Symbol('hubcast client');

export type CreateHubcastOptions =
  | {
      /**
       * A connection the app made (a `HubcastClient`, or `connectShared(...).connection`); the
       * plugin neither connects nor disconnects it.
       */
      client: HubcastConnection;
    }
  | (ClientOptions & {
      /** Connect on install (default true). */
      connect?: boolean;
    });

/** The plugin, with the connection it provides. */
export interface HubcastPlugin {
  readonly client: HubcastConnection;
  install(app: App): void;
}

/** Makes the plugin: from an existing connection, or from client options (then it owns it). */
export function createHubcast(options: CreateHubcastOptions): HubcastPlugin {
  // `ClientOptions.client` is the client's self-description (plain data): only an object
  // with a connection's methods means "use this".
  const given = isConnection(options.client) ? options.client : undefined;
  const client: HubcastConnection = given ?? new HubcastClient(options as ClientOptions);
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

/** The app's connection (inside `setup`, a setup store, or `app.runWithContext`). */
export function useHubcast(): HubcastConnection {
  const client = inject(HUBCAST_CLIENT, undefined);
  if (client !== undefined) return client;
  const where = getCurrentInstance() === null ? 'outside a component' : 'in this app';
  throw new HubcastError(
    'bad_request',
    `no hubcast client ${where}: install createHubcast() with app.use first`,
  );
}

function isConnection(value: unknown): value is HubcastConnection {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Record<keyof HubcastConnection, unknown>>;
  return typeof v.subscribe === 'function' && typeof v.connect === 'function';
}
