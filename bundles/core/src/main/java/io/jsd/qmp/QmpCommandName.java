package io.jsd.qmp;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.osgi.service.component.annotations.ComponentPropertyType;

/** Component property type: {@code @Component @QmpCommandName("blockdev-add") class BlockdevAdd implements QmpCommand}. */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface QmpCommandName {
    String PREFIX_ = "jsd.";

    String value();
}
