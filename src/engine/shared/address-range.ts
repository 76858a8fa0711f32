import { BlockList, isIP } from 'node:net';

/**
 * Address ranges that are not the public internet: what a server on this machine or its network
 * listens on (a database on loopback, a cloud metadata service on link-local, an admin page on a
 * private network). IPv4 rules also match IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`,
 * `::ffff:7f00:1`): node's BlockList compares those as the IPv4 address they carry.
 */
const RANGES: { name: string; v4?: [string, number][]; v6?: [string, number][] }[] = [
  { name: 'loopback', v4: [['127.0.0.0', 8]], v6: [['::1', 128]] },
  { name: 'unspecified', v4: [['0.0.0.0', 8]], v6: [['::', 128]] },
  { name: 'link-local', v4: [['169.254.0.0', 16]], v6: [['fe80::', 10]] },
  {
    name: 'private',
    v4: [
      ['10.0.0.0', 8],
      ['172.16.0.0', 12],
      ['192.168.0.0', 16],
      ['100.64.0.0', 10], // carrier-grade NAT, shared like a private range
    ],
    v6: [
      ['fc00::', 7], // unique local
      ['fec0::', 10], // site-local (deprecated, still routed inside some networks)
    ],
  },
  {
    name: 'reserved',
    v4: [
      ['192.0.0.0', 24],
      ['198.18.0.0', 15],
      ['224.0.0.0', 4], // multicast
      ['240.0.0.0', 4], // reserved and broadcast
    ],
    v6: [
      ['ff00::', 8], // multicast
      ['::', 96], // IPv4-compatible (deprecated)
    ],
  },
];

const LISTS = RANGES.map(({ name, v4 = [], v6 = [] }) => {
  const list = new BlockList();
  for (const [network, prefix] of v4) list.addSubnet(network, prefix, 'ipv4');
  for (const [network, prefix] of v6) list.addSubnet(network, prefix, 'ipv6');
  return { name, list };
});

/**
 * The name of the non-public range `address` is in ('loopback', 'private', 'link-local',
 * 'unspecified', 'reserved'), or null for a public address. Anything that is not an IP address
 * counts as 'reserved': it is never called.
 */
export function nonPublicRange(address: string): string | null {
  const family = isIP(address);
  if (family === 0) return 'reserved';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  return LISTS.find(({ list }) => list.check(address, type))?.name ?? null;
}
