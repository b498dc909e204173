/**
 * Builds small OVF descriptors for tests, so each test shows only the part of the envelope it is about.
 */
export interface OvfSpec {
  osType?: string;
  cimId?: string;
  osVersion?: string;
  systemType?: string;
  firmware?: string;
  product?: { product?: string; vendor?: string; version?: string; fullVersion?: string };
  /** Raw `<Property>` elements (and anything else) for the first ProductSection. */
  properties?: string;
  extraProductSections?: string;
  disks?: Array<{ id: string; capacity: string; units?: string; populated?: string; name?: string; configuration?: string; parent?: string; address?: string }>;
  configurations?: Array<{ id: string; default?: boolean }>;
  /** Raw `<Item>` elements appended to the hardware section (controllers, drives). */
  items?: string;
  /** A second VirtualHardwareSection, raw, after the first. */
  extraHardwareSections?: string;
}

export function ovf(spec: OvfSpec = {}): string {
  const os =
    spec.osType !== undefined || spec.cimId !== undefined || spec.osVersion !== undefined
      ? `<OperatingSystemSection ovf:id="${spec.cimId ?? "1"}"${spec.osVersion !== undefined ? ` ovf:version="${spec.osVersion}"` : ""}${
          spec.osType !== undefined ? ` vmw:osType="${spec.osType}"` : ""
        }><Info>os</Info></OperatingSystemSection>`
      : "";
  const p = spec.product;
  const product =
    p || spec.properties
      ? `<ProductSection><Info>product</Info>${p?.product ? `<Product>${p.product}</Product>` : ""}${p?.vendor ? `<Vendor>${p.vendor}</Vendor>` : ""}${
          p?.version ? `<Version>${p.version}</Version>` : ""
        }${p?.fullVersion ? `<FullVersion>${p.fullVersion}</FullVersion>` : ""}${spec.properties ?? ""}</ProductSection>`
      : "";
  const disks = spec.disks ?? [];
  const diskSection = disks.length
    ? `<DiskSection><Info>disks</Info>${disks
        .map(
          (d) =>
            `<Disk ovf:diskId="${d.id}" ovf:capacity="${d.capacity}"${d.units ? ` ovf:capacityAllocationUnits="${d.units}"` : ""}${
              d.populated ? ` ovf:populatedSize="${d.populated}"` : ""
            }/>`,
        )
        .join("")}</DiskSection>`
    : "";
  const diskItems = disks
    .map(
      (d, i) =>
        `<Item${d.configuration ? ` ovf:configuration="${d.configuration}"` : ""}>${d.address !== undefined ? `<rasd:AddressOnParent>${d.address}</rasd:AddressOnParent>` : ""}${
          d.name !== undefined ? `<rasd:ElementName>${d.name}</rasd:ElementName>` : ""
        }<rasd:HostResource>ovf:/disk/${d.id}</rasd:HostResource><rasd:InstanceID>${10 + i}</rasd:InstanceID>${d.parent !== undefined ? `<rasd:Parent>${d.parent}</rasd:Parent>` : ""}<rasd:ResourceType>17</rasd:ResourceType></Item>`,
    )
    .join("");
  const configs = spec.configurations?.length
    ? `<DeploymentOptionSection><Info>configs</Info>${spec.configurations
        .map((c) => `<Configuration ovf:id="${c.id}"${c.default ? ` ovf:default="true"` : ""}><Label>${c.id}</Label><Description>${c.id}</Description></Configuration>`)
        .join("")}</DeploymentOptionSection>`
    : "";
  return `<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
  xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
  xmlns:vmw="http://www.vmware.com/schema/ovf" xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData">
  <References/>
  ${diskSection}
  ${configs}
  <VirtualSystem ovf:id="vm">
    <Info>A virtual machine</Info>
    ${os}
    <VirtualHardwareSection>
      <Info>hw</Info>
      <System><vssd:ElementName>Virtual Hardware Family</vssd:ElementName><vssd:InstanceID>0</vssd:InstanceID>${
        spec.systemType !== undefined ? `<vssd:VirtualSystemType>${spec.systemType}</vssd:VirtualSystemType>` : ""
      }</System>
      ${spec.items ?? ""}
      ${diskItems}
      ${spec.firmware !== undefined ? `<vmw:Config ovf:required="false" vmw:key="firmware" vmw:value="${spec.firmware}"/>` : ""}
    </VirtualHardwareSection>
    ${spec.extraHardwareSections ?? ""}
    ${product}
    ${spec.extraProductSections ?? ""}
  </VirtualSystem>
</Envelope>
`;
}

/** `<Property>` element text. */
export function property(
  key: string,
  attrs: { type?: string; value?: string; userConfigurable?: boolean | string; configuration?: string; qualifiers?: string; password?: boolean; values?: Array<{ value: string; configuration?: string }> } = {},
): string {
  const open = `<Property ovf:key="${key}" ovf:type="${attrs.type ?? "string"}"${attrs.value !== undefined ? ` ovf:value="${attrs.value}"` : ""}${
    attrs.userConfigurable !== undefined ? ` ovf:userConfigurable="${attrs.userConfigurable}"` : ""
  }${attrs.configuration ? ` ovf:configuration="${attrs.configuration}"` : ""}${attrs.qualifiers !== undefined ? ` ovf:qualifiers='${attrs.qualifiers}'` : ""}${
    attrs.password !== undefined ? ` ovf:password="${attrs.password}"` : ""
  }`;
  if (!attrs.values) return `${open}/>`;
  return `${open}>${attrs.values.map((v) => `<Value ovf:value="${v.value}"${v.configuration ? ` ovf:configuration="${v.configuration}"` : ""}/>`).join("")}</Property>`;
}

/** A hardware `<Item>` of a resource type, with the RASD elements given (InstanceID, Parent, Address, …). */
export function item(resourceType: number, fields: Record<string, string> = {}): string {
  const rasd = Object.entries({ ...fields, ResourceType: String(resourceType) })
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `<rasd:${k}>${v}</rasd:${k}>`)
    .join("");
  return `<Item>${rasd}</Item>`;
}
