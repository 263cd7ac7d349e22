package io.jsd.block;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Component property type naming a block driver:
 * {@code @Component @BlockDriverName("file") class FileDriver implements BlockDriver}.
 * It sets the service property {@value BlockDriver#NAME_PROPERTY}.
 */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface BlockDriverName {
    String PREFIX_ = "jsd.";

    String value();
}
