/**
 * Every `Ref`, `Fn::GetAtt`, `Fn::Sub` variable, `Condition` and `DependsOn` of the template
 * names something that exists, checked in every resource (emulated or not) before anything
 * runs, as CloudFormation's validation does: a typo is an error naming the resource and line.
 */
import { TemplateError } from './template-error.js';

const PSEUDO = new Set(['AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition', 'AWS::Region', 'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix']);

export function checkReferences(template: Record<string, unknown>, file: string, lineOf: (path: (string | number)[]) => number | undefined): void {
  const resources = (template.Resources as Record<string, Record<string, unknown>> | undefined) ?? {};
  const parameters = new Set(Object.keys((template.Parameters as object | undefined) ?? {}));
  const conditions = new Set(Object.keys((template.Conditions as object | undefined) ?? {}));
  const names = (set: Iterable<string>): string => [...set].join(', ') || 'none';
  for (const [id, resource] of Object.entries(resources)) {
    const where = (path: (string | number)[]) => ({ file, resource: id, line: lineOf(['Resources', id, ...path]) });
    const refable = (name: string): boolean => PSEUDO.has(name) || parameters.has(name) || name in resources;
    const walk = (value: unknown, path: (string | number)[]): void => {
      if (Array.isArray(value)) return value.forEach((v, i) => walk(v, [...path, i]));
      if (typeof value !== 'object' || value === null) return;
      for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
        if (key === 'Ref' && typeof inner === 'string' && !refable(inner)) {
          throw new TemplateError(`!Ref ${inner} names no parameter, pseudo parameter or resource (resources: ${names(Object.keys(resources))}).`, where(path));
        }
        if (key === 'Fn::GetAtt') {
          const target = typeof inner === 'string' ? inner.split('.')[0] : Array.isArray(inner) ? inner[0] : undefined;
          if (typeof target === 'string' && !(target in resources)) {
            throw new TemplateError(`!GetAtt ${typeof inner === 'string' ? inner : (inner as unknown[]).join('.')} names no resource of this template (resources: ${names(Object.keys(resources))}).`, where(path));
          }
        }
        if (key === 'Fn::Sub') {
          const [text, variables] = Array.isArray(inner) ? [inner[0], inner[1] as Record<string, unknown>] : [inner, {}];
          if (typeof text === 'string') {
            for (const [, name = ''] of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
              const head = name.includes('.') && !name.startsWith('AWS::') ? (name.split('.')[0] ?? '') : name;
              if (!(name in (variables ?? {})) && !(head in resources) && !refable(head)) {
                throw new TemplateError(`!Sub names \${${name}}, which is no parameter, pseudo parameter, resource or variable of the !Sub (check the spelling).`, where(path));
              }
            }
          }
        }
        if ((key === 'Fn::If' && Array.isArray(inner) && typeof inner[0] === 'string' && !conditions.has(inner[0])) || (key === 'Condition' && typeof inner === 'string' && path.length > 0 && !conditions.has(inner))) {
          const name = key === 'Condition' ? inner : (inner as unknown[])[0];
          throw new TemplateError(`condition ${String(name)} is not declared in Conditions (it has ${names(conditions)}).`, where(path));
        }
        walk(inner, [...path, key]);
      }
    };
    walk(resource.Properties, ['Properties']);
    if (typeof resource.Condition === 'string' && !conditions.has(resource.Condition)) {
      throw new TemplateError(`Condition ${resource.Condition} is not declared in Conditions (it has ${names(conditions)}).`, where(['Condition']));
    }
    const dependsOn = typeof resource.DependsOn === 'string' ? [resource.DependsOn] : Array.isArray(resource.DependsOn) ? resource.DependsOn : [];
    for (const dependency of dependsOn) {
      if (typeof dependency === 'string' && !(dependency in resources)) {
        throw new TemplateError(`DependsOn ${dependency} names no resource of this template (check the spelling).`, where(['DependsOn']));
      }
    }
  }
}
