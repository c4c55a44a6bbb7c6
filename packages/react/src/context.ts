/**
 * `<HubcastProvider>`: gives one connection (a `HubcastClient`, or the cross-tab
 * `SharedConnection`) to every hook below it. Given `options` it owns a client: it connects it
 * on mount and disconnects it on unmount; given a `connection` it only passes it down.
 */
import {
  HubcastClient,
  HubcastError,
  type ClientOptions,
  type HubcastConnection,
} from '@hubcast/client';
import {
  createContext,
  createElement,
  useContext,
  useEffect,
  useState,
  type ReactNode,
} from 'react';
import { Lease } from './lease.js';

const HubcastContext = createContext<HubcastConnection | undefined>(undefined);

export type HubcastProviderProps = { children?: ReactNode } & (
  | {
      /** A connection the app made and manages; the provider neither connects nor closes it. */
      connection: HubcastConnection;
    }
  | {
      /** Client options: the provider makes the client once (later changes are not read). */
      options: ClientOptions;
      /** Connect on mount (default true). */
      connect?: boolean;
    }
);

/** Provides one connection to the hooks below it. */
export function HubcastProvider(props: HubcastProviderProps): ReactNode {
  const given = 'connection' in props ? props.connection : undefined;
  // Made once per provider (a constructor opens nothing); its lifetime is the effect's.
  const [owned] = useState(() =>
    given === undefined && 'options' in props
      ? { client: new HubcastClient(props.options), shouldConnect: props.connect !== false }
      : undefined,
  );
  const [lease] = useState(() =>
    owned === undefined
      ? undefined
      : new Lease({
          start: () => (owned.shouldConnect ? void owned.client.connect() : undefined),
          stop: () => owned.client.disconnect(),
        }),
  );
  useEffect(() => lease?.acquire(), [lease]);
  const connection = given ?? owned?.client;
  return createElement(HubcastContext.Provider, { value: connection }, props.children);
}

/** The connection of the nearest `<HubcastProvider>`. */
export function useHubcast(): HubcastConnection {
  const connection = useContext(HubcastContext);
  if (connection !== undefined) return connection;
  throw new HubcastError(
    'bad_request',
    'no hubcast connection here: render the component inside <HubcastProvider>',
  );
}
